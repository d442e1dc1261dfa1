/* 查找我的红管家 (search/index.html).
 *
 * The index and its shards are scripts that call hgjSearch.index(…) and hgjSearch.shard(…)
 * when they load, so search works from a copied folder (file://), where browsers refuse to
 * fetch JSON. Nothing is loaded from another site.
 *
 * The build normalizes every text it indexes (src/render/search.rs). Here only the query
 * is normalized, by normalize() and queryWords() below, the same steps with the tables the
 * index carries (index.rules): the two must agree, and tests/browser.rs checks they do.
 */
(function () {
  "use strict";
  var results = document.getElementById("search-results");
  var input = document.getElementById("search-q");
  if (!results || !input) return;
  /* Every address comes from the build (render/routes.rs): the index's and the
     directory's from the page; shards' and communities' from the index, and the two parts
     of a steward page's address around the ids the records carry (index.steward_page). */
  var root = results.getAttribute("data-root") || "";
  var indexScript = results.getAttribute("data-index");
  var directoryPage = results.getAttribute("data-directory");
  var LIMIT = 20;
  var index = null;
  var shards = {};
  var waiting = {};
  var pending = null;
  var runs = 0;

  window.hgjSearch = {
    index: function (data) {
      index = data;
      if (pending !== null) run(pending);
    },
    shard: function (n, records) {
      shards[n] = records;
      var callbacks = waiting[n] || [];
      delete waiting[n];
      callbacks.forEach(function (f) { f(); });
    }
  };

  /* ---- Normalization: the steps of normalize() and query_words() in search.rs. ---- */

  var DIGIT = /^[0-9]$/;
  var ALPHA = /^[a-z]$/;

  function isHan(c) {
    var n = c.codePointAt(0);
    return (n >= 0x3400 && n <= 0x4dbf) || (n >= 0x4e00 && n <= 0x9fff) || (n >= 0xf900 && n <= 0xfaff);
  }

  function isWordChar(c) {
    return DIGIT.test(c) || ALPHA.test(c) || isHan(c) || c === "*" || c === "#";
  }

  /* Full-width forms to ASCII, the ideographic space to a space, ASCII letters to lower case. */
  function fold(c) {
    var n = c.codePointAt(0);
    if (n >= 0xff01 && n <= 0xff5e) c = String.fromCharCode(n - 0xfee0);
    else if (n === 0x3000) c = " ";
    return c >= "A" && c <= "Z" ? c.toLowerCase() : c;
  }

  var NUMERAL_VALUES = { "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9 };

  /* 十二 → 12, 一百零五 → 105, 一二 → 12. */
  function parseNumerals(run) {
    var n;
    if (run.indexOf("十") < 0 && run.indexOf("百") < 0) {
      n = 0;
      for (var i = 0; i < run.length; i++) n = n * 10 + NUMERAL_VALUES[run[i]];
      return n;
    }
    var total = 0;
    var digit = null;
    run.forEach(function (c) {
      if (c === "十" || c === "百") {
        total += (digit === null ? 1 : digit) * (c === "十" ? 10 : 100);
        digit = null;
      } else if (NUMERAL_VALUES[c] !== 0) {
        digit = NUMERAL_VALUES[c];
      }
    });
    return total + (digit === null ? 0 : digit);
  }

  function startsWithAt(chars, at, word) {
    var w = Array.from(word);
    for (var i = 0; i < w.length; i++) if (chars[at + i] !== w[i]) return false;
    return true;
  }

  /* The building or unit mark at `at`, after optional spaces: [its normal form, its end]. */
  function markAt(rules, chars, at) {
    var i = at;
    while (chars[i] === " ") i++;
    for (var k = 0; k < rules.marks.length; k++) {
      if (startsWithAt(chars, i, rules.marks[k])) return [rules.building, i + Array.from(rules.marks[k]).length];
    }
    if (startsWithAt(chars, i, rules.unit)) return [rules.unit, i + Array.from(rules.unit).length];
    return null;
  }

  function normalize(rules, text) {
    var chars = Array.from(text).map(fold);
    var out = "";
    var i = 0;
    while (i < chars.length) {
      var c = chars[i];
      var ascii = DIGIT.test(c);
      if (ascii || rules.numerals.indexOf(c) >= 0) {
        var j = i;
        while (j < chars.length && (ascii ? DIGIT.test(chars[j]) : rules.numerals.indexOf(chars[j]) >= 0)) j++;
        var run = chars.slice(i, j);
        var number = ascii ? (run.join("").replace(/^0+/, "") || "0") : String(parseNumerals(run));
        var mark = markAt(rules, chars, j);
        if (mark) {
          out += number + mark[0];
          i = mark[1];
        } else {
          out += ascii ? number : run.join("");
          i = j;
        }
        continue;
      }
      out += c;
      i++;
    }
    return out;
  }

  /* The words of a query; every word must match. */
  function queryWords(rules, query) {
    var words = [];
    var current = "";
    var prev = null;
    Array.from(normalize(rules, query)).forEach(function (c) {
      var split = !isWordChar(c) || (prev !== null &&
        ((isHan(prev) && DIGIT.test(c)) || (prev === rules.building && (isHan(c) || ALPHA.test(c)))));
      if (split && current) {
        words.push(current);
        current = "";
      }
      if (isWordChar(c)) current += c;
      prev = c;
    });
    if (current) words.push(current);
    var out = [];
    words.forEach(function (w) {
      rules.suffixes.forEach(function (s) {
        if (w.length > s.length && w.slice(-s.length) === s) w = w.slice(0, -s.length);
        else if (w === s) w = "";
      });
      if (w && out.indexOf(w) < 0) out.push(w);
    });
    return out;
  }

  /* A word in a key, never as part of a longer number (12 is not in 120幢). */
  function matches(key, word) {
    if (!word || !key) return false;
    var startsDigit = DIGIT.test(word[0]);
    var endsDigit = DIGIT.test(word[word.length - 1]);
    var at = key.indexOf(word);
    while (at >= 0) {
      var before = at > 0 ? key[at - 1] : "";
      var after = key.charAt(at + word.length);
      if (!(startsDigit && DIGIT.test(before)) && !(endsDigit && DIGIT.test(after))) return true;
      at = key.indexOf(word, at + 1);
    }
    return false;
  }

  /* Runs of digits, and single letters and Han characters: the keys of shards. */
  function units(text) {
    var out = [];
    var digits = "";
    Array.from(text).forEach(function (c) {
      if (DIGIT.test(c)) {
        digits += c;
        return;
      }
      if (digits) out.push(digits);
      digits = "";
      if (ALPHA.test(c) || isHan(c)) out.push(c);
    });
    if (digits) out.push(digits);
    return out;
  }

  /* ---- Loading ---- */

  function loadScript(src, onerror) {
    var s = document.createElement("script");
    s.src = src;
    s.onerror = onerror;
    document.head.appendChild(s);
  }

  function loadShards(list, done) {
    var left = list.length;
    if (!left) return done();
    list.forEach(function (n) {
      function one() { if (--left === 0) done(); }
      if (shards[n]) return one();
      if (waiting[n]) return waiting[n].push(one);
      waiting[n] = [one];
      loadScript(root + index.paths[n], failed);
    });
  }

  /* For each word, the smallest shard holding every building and steward whose own text
     could match it. A word no building or steward has a unit of names only communities. */
  function plan(words) {
    var load = [];
    var vague = [];
    words.forEach(function (w) {
      var best = null;
      var us = units(w);
      var absent = !us.length;
      us.forEach(function (u) {
        if (Object.prototype.hasOwnProperty.call(index.units, u)) {
          var n = index.units[u];
          if (best === null || index.shards[n] < index.shards[best]) best = n;
        } else if (index.common.indexOf(u) < 0) {
          absent = true;
        }
      });
      if (absent) return;
      if (best === null) vague.push(w);
      else if (load.indexOf(best) < 0) load.push(best);
    });
    return { load: load, vague: vague };
  }

  /* ---- Matching ---- */

  function communityKeys(ci) {
    var c = index.communities[ci];
    var keys = [c[2] || c[1], c[3]];
    if (c[4] !== null && index.subdistricts[c[4]]) {
      var sd = index.subdistricts[c[4]];
      keys.push(sd[1] || sd[0]);
    }
    return keys;
  }

  function anyMatch(keys, w) {
    return keys.some(function (k) { return matches(k, w); });
  }

  /* A building or steward: every word in its own text or its community's, one at least in
     its own (东门街 alone finds the community, not all its buildings). */
  function recordMatches(r, words) {
    var own = r[4] || r[3];
    var ownHit = false;
    var keys = null;
    for (var i = 0; i < words.length; i++) {
      if (matches(own, words[i])) {
        ownHit = true;
        continue;
      }
      keys = keys || communityKeys(r[2]);
      if (!anyMatch(keys, words[i])) return false;
    }
    return ownHit;
  }

  function search(words, loaded) {
    var found = { communities: [], buildings: [], stewards: [] };
    index.communities.forEach(function (c, ci) {
      var keys = communityKeys(ci);
      if (words.every(function (w) { return anyMatch(keys, w); })) found.communities.push(ci);
    });
    var seen = {};
    loaded.forEach(function (n) {
      shards[n].forEach(function (r) {
        var id = r[0] + "," + r[2] + "," + r[1];
        if (seen[id] || !recordMatches(r, words)) return;
        seen[id] = true;
        (r[0] === 0 ? found.buildings : found.stewards).push(r);
      });
    });
    /* By community, then as the community page lists them. */
    var order = function (a, b) { return a[2] - b[2] || a[1] - b[1]; };
    found.buildings.sort(order);
    found.stewards.sort(order);
    return found;
  }

  /* ---- Showing ---- */

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function link(href, text) {
    var a = el("a", "", text);
    a.href = root + href;
    return a;
  }

  /* The community's link; on a site of several subdistricts, its subdistrict before it
     ("东湖街道 · 桂花社区"), as one element. */
  function communityLink(ci) {
    var c = index.communities[ci];
    var a = link(c[0], c[1]);
    if (index.subdistricts.length < 2 || c[4] === null || !index.subdistricts[c[4]]) return a;
    var span = el("span", "community");
    span.appendChild(el("span", "subdistrict", index.subdistricts[c[4]][0] + " · "));
    span.appendChild(a);
    return span;
  }

  function directory(text) {
    var p = el("p", "search-directory");
    p.appendChild(document.createTextNode(text));
    p.appendChild(link(directoryPage, "社区目录"));
    p.appendChild(document.createTextNode("，点开您所在的社区，按楼幢查看红管家。"));
    return p;
  }

  /* name, link to their page when they have one, grid, phone (masked, only when shown). */
  function stewardLine(parent, name, id, grid, phone) {
    var page = index.steward_page;
    parent.appendChild(id ? link(page[0] + id + page[1], name) : el("span", "name", name));
    if (grid) parent.appendChild(el("span", "meta", grid));
    if (phone) parent.appendChild(el("span", "meta phone", "联系电话 " + phone));
  }

  function more(list, shown, unit) {
    return list.length > shown ? el("p", "hint", "还有" + (list.length - shown) + unit + "相符，请多输入几个字（如社区名或楼幢号）缩小范围。") : null;
  }

  function show(query, words, found, vague) {
    results.textContent = "";
    var total = found.communities.length + found.buildings.length + found.stewards.length;
    var echo = el("p", "search-words", "查找：" + words.join(" · "));
    echo.setAttribute("data-words", words.join("|"));
    results.appendChild(echo);
    if (vague.length) {
      results.appendChild(el("p", "hint", "“" + vague.join("”“") + "”太常见，单独用它查不出结果，请多输入一两个字（如完整的姓名）。"));
    }
    if (!total) {
      if (!vague.length) {
        results.appendChild(el("p", "search-empty", "没有找到与“" + query.trim() + "”相符的楼幢、社区或红管家。"));
      }
      results.appendChild(directory("请核对社区名和楼幢号，或到"));
      return total;
    }
    if (found.buildings.length) {
      results.appendChild(el("h2", "", "楼幢（" + found.buildings.length + "）"));
      var ul = el("ul", "search-list");
      found.buildings.slice(0, LIMIT).forEach(function (r) {
        var li = el("li", "search-building");
        var head = el("p", "search-head");
        head.appendChild(el("span", "label", r[3]));
        head.appendChild(communityLink(r[2]));
        li.appendChild(head);
        var people = el("ul", "search-stewards");
        r[5].forEach(function (s) {
          var p = el("li");
          stewardLine(p, s[0], s[1], s[2], s[3]);
          people.appendChild(p);
        });
        li.appendChild(people);
        ul.appendChild(li);
      });
      results.appendChild(ul);
      var m = more(found.buildings, LIMIT, "幢楼");
      if (m) results.appendChild(m);
    }
    if (found.stewards.length) {
      results.appendChild(el("h2", "", "红管家（" + found.stewards.length + "）"));
      var sl = el("ul", "search-list");
      found.stewards.slice(0, LIMIT).forEach(function (r) {
        var li = el("li", "search-steward");
        var head = el("p", "search-head");
        stewardLine(head, r[3], r[5], "", "");
        head.appendChild(communityLink(r[2]));
        li.appendChild(head);
        var facts = el("p", "meta");
        facts.textContent = [r[6], "联系楼幢 " + r[7], r[8] ? "联系电话 " + r[8] : ""].filter(Boolean).join(" · ");
        li.appendChild(facts);
        sl.appendChild(li);
      });
      results.appendChild(sl);
      var ms = more(found.stewards, LIMIT, "名红管家");
      if (ms) results.appendChild(ms);
    }
    if (found.communities.length) {
      results.appendChild(el("h2", "", "社区（" + found.communities.length + "）"));
      var cl = el("ul", "search-list");
      found.communities.slice(0, LIMIT).forEach(function (ci) {
        var c = index.communities[ci];
        var li = el("li", "search-community");
        li.appendChild(communityLink(ci));
        li.appendChild(el("span", "meta", c[5] + "名红管家，联系" + c[6] + "幢楼"));
        cl.appendChild(li);
      });
      results.appendChild(cl);
      var mc = more(found.communities, LIMIT, "个社区");
      if (mc) results.appendChild(mc);
      if (!found.buildings.length && !found.stewards.length) {
        results.appendChild(el("p", "hint", "再输入楼幢号（如“" + (index.communities[found.communities[0]][1]) + " 1幢”），就能直接看到这幢楼的红管家。"));
      }
    }
    return total;
  }

  function failed() {
    results.setAttribute("data-state", "error");
    results.textContent = "";
    results.appendChild(el("p", "search-empty", "查找索引没有加载成功。"));
    results.appendChild(directory("请到"));
  }

  function run(query) {
    if (!index) {
      pending = query;
      return;
    }
    var started = performance.now();
    var id = ++runs;
    var words = queryWords(index.rules, query);
    results.setAttribute("data-query", query);
    if (!words.length) {
      results.setAttribute("data-state", "idle");
      results.textContent = "";
      return;
    }
    results.setAttribute("data-state", "loading");
    var p = plan(words);
    loadShards(p.load, function () {
      if (id !== runs) return;
      var loaded = performance.now();
      var total = show(query, words, search(words, p.load), p.vague);
      results.setAttribute("data-ms-match", (performance.now() - loaded).toFixed(1));
      results.setAttribute("data-state", "done");
      results.setAttribute("data-count", String(total));
      results.setAttribute("data-shards", p.load.join(","));
      results.setAttribute("data-ms", (performance.now() - started).toFixed(1));
    });
  }

  function remember(query) {
    try {
      history.replaceState(null, "", "?q=" + encodeURIComponent(query));
    } catch (e) {
      /* Some browsers refuse this on file://; the search works all the same. */
    }
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); remember(input.value); }, 120);
  });
  input.form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    run(input.value);
    remember(input.value);
  });

  var q = new URLSearchParams(location.search).get("q") || "";
  input.value = q;
  pending = q;
  loadScript(root + indexScript, failed);
  if (!q) input.focus();
})();
