// Runs axe-core in headless Chromium over the pages named on the command line and prints
// every violation; exits 1 when any is serious or critical, or when a page fails the
// checks axe cannot make: nothing cut off at 200% zoom, a skip link that is the first
// thing the keyboard reaches and visibly focused, and a 大字版 switch that is remembered.
// Used by tests/accessibility.rs.
//
//   node tests/a11y/axe.mjs <site folder> <page> [<page> ...]
//
// Chromium is the system's (CHROMIUM or /usr/bin/chromium); nothing is downloaded.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import path from "node:path";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [site, ...pages] = process.argv.slice(2);
if (!site || pages.length === 0) {
  console.error("usage: node axe.mjs <site folder> <page>...");
  process.exit(2);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = 0;
try {
  for (const page of pages) {
    // Wide and phone-sized, plain and with the large-text switch on.
    for (const [width, large] of [[1280, false], [390, false], [390, true]]) {
      const tab = await browser.newPage();
      await tab.setViewport({ width, height: 900 });
      const url = pathToFileURL(path.resolve(site, page)).href;
      await tab.goto(url, { waitUntil: "load" });
      await tab.evaluate((on) => {
        try { localStorage.setItem("hgj-large", on ? "1" : "0"); } catch (e) { /* no storage */ }
      }, large);
      if (large) await tab.reload({ waitUntil: "load" });
      await tab.evaluate(axeSource);
      const result = await tab.evaluate(async () => {
        // WCAG 2.1 A and AA, the level GB/T 37668-2019 asks of public sites.
        return await window.axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
          resultTypes: ["violations"],
        });
      });
      for (const v of result.violations) {
        const bad = v.impact === "serious" || v.impact === "critical";
        if (bad) failed++;
        const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
        console.log(`${bad ? "FAIL" : "note"} ${page} @${width}px${large ? " 大字版" : ""}: ${v.impact} ${v.id}: ${v.help} — ${where}`);
      }
      // 200% zoom: 1280 px of screen is 640 px of page. Nothing may stick out sideways
      // (wide tables scroll in their own box).
      if (width === 1280 && !large) {
        await tab.setViewport({ width: 640, height: 900, deviceScaleFactor: 2 });
        const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) {
          failed++;
          console.log(`FAIL ${page} @200%: the page is ${overflow}px wider than the window`);
        }
      }
      await tab.close();
    }
  }
  failed += await keyboard(pages[0]);
} finally {
  await browser.close();
}
/** The first Tab reaches 跳到正文, visibly; Enter moves to the main content; the large-text
 *  switch is a real button and its state survives a reload. */
async function keyboard(page) {
  const problems = [];
  const tab = await browser.newPage();
  await tab.setViewport({ width: 1280, height: 900 });
  await tab.goto(pathToFileURL(path.resolve(site, page)).href, { waitUntil: "load" });
  await tab.evaluate(() => localStorage.removeItem("hgj-large"));
  await tab.reload({ waitUntil: "load" });
  await tab.keyboard.press("Tab");
  const first = await tab.evaluate(() => {
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return { text: el.textContent.trim(), visible: box.width > 0 && box.left >= 0 && box.top >= 0,
      outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 };
  });
  if (first.text !== "跳到正文") problems.push(`the first Tab reaches "${first.text}", not 跳到正文`);
  if (!first.visible) problems.push("the focused skip link is not on screen");
  if (!first.outline) problems.push("the focused skip link has no visible outline");
  await tab.keyboard.press("Enter");
  const focused = await tab.evaluate(() => document.activeElement.id);
  if (focused !== "main") problems.push(`after 跳到正文 the focus is on "${focused}", not the main content`);
  // The switch comes right after the skip link.
  await tab.reload({ waitUntil: "load" });
  await tab.waitForSelector("#large-switch:not([hidden])", { timeout: 5000 });
  await tab.evaluate(() => document.querySelector("a.skip").focus());
  await tab.keyboard.press("Tab");
  const sw = await tab.evaluate(() => document.activeElement.id);
  if (sw !== "large-switch") problems.push(`the 大字版 switch is not reachable by keyboard (${sw})`);
  const before = await tab.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  await tab.keyboard.press("Enter");
  await tab.reload({ waitUntil: "load" });
  await tab.waitForSelector("#large-switch:not([hidden])", { timeout: 5000 });
  const after = await tab.evaluate(() => ({
    size: parseFloat(getComputedStyle(document.body).fontSize),
    pressed: document.getElementById("large-switch")?.getAttribute("aria-pressed"),
  }));
  if (!(after.size >= before * 1.2)) problems.push(`大字版 did not persist: ${before}px then ${after.size}px`);
  if (after.pressed !== "true") problems.push("the switch does not say it is on (aria-pressed)");
  await tab.close();
  for (const p of problems) console.log(`FAIL ${page} keyboard: ${p}`);
  return problems.length;
}

console.log(`axe: ${pages.length} pages, ${failed} serious or critical violations`);
process.exit(failed ? 1 : 0);
