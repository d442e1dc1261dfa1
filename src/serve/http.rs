//! Answering the browser from the snapshot in memory, rendering a page when it is first
//! asked for. Only files the build produces can be answered: a request path is looked up as a key, never joined to a folder on disk, so no
//! path, however encoded, reaches outside the site.

use std::convert::Infallible;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State as Extract;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Snapshot, State};

/// The event stream open pages listen on; each event is the snapshot's version.
pub(crate) const EVENTS: &str = "/__hongguanjia/events";
/// Marks what the server adds to pages, so tests can tell served pages from built ones.
pub(crate) const MARK: &str = "__hongguanjia";

pub(crate) fn router(state: State) -> Router {
    Router::new()
        .route(EVENTS, get(events))
        .fallback(page)
        .with_state(state)
}

async fn events(Extract(state): Extract<State>) -> impl IntoResponse {
    let rx = state.subscribe();
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let version = {
            let snapshot = rx.borrow_and_update();
            if snapshot.closing {
                return None;
            }
            snapshot.version.clone()
        };
        Some((
            Ok::<_, Infallible>(Event::default().data(version)),
            (rx, false),
        ))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn page(Extract(state): Extract<State>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "预览服务只接受 GET 请求。");
    }
    let snapshot = state.borrow().clone();
    let Some(key) = site_path(uri.path()) else {
        return plain(StatusCode::BAD_REQUEST, "请求的路径不合法。");
    };
    match lookup(&snapshot, &key) {
        Found::File(key) => file(&snapshot, &key, StatusCode::OK).await,
        Found::Folder => {
            let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
            if let Ok(to) = HeaderValue::from_str(&format!("{}/", uri.path())) {
                response.headers_mut().insert(header::LOCATION, to);
            }
            response
        }
        Found::Nothing if snapshot.has("404.html") => {
            file(&snapshot, "404.html", StatusCode::NOT_FOUND).await
        }
        Found::Nothing if snapshot.site.is_none() => {
            // No good build yet: the page is only there to show why.
            let html = inject(EMPTY_PAGE, &snapshot);
            respond(StatusCode::NOT_FOUND, "text/html; charset=utf-8", html)
        }
        Found::Nothing => plain(StatusCode::NOT_FOUND, "找不到这个页面。"),
    }
}

enum Found {
    File(String),
    /// A folder asked for without its trailing `/`.
    Folder,
    Nothing,
}

/// Finds `key` in the site; also under the path of `base_url`, which links written for
/// the published address (such as the 404 page's) begin with.
fn lookup(snapshot: &Snapshot, key: &str) -> Found {
    let found = find(snapshot, key);
    let base = snapshot.base_path().trim_matches('/');
    if !matches!(found, Found::Nothing) || base.is_empty() {
        return found;
    }
    if key == base {
        // `/fushan` is the site's folder: relative links need the `/`.
        return Found::Folder;
    }
    match key.strip_prefix(&format!("{base}/")) {
        Some(rest) => find(snapshot, rest),
        None => Found::Nothing,
    }
}

fn find(snapshot: &Snapshot, key: &str) -> Found {
    if key.is_empty() || key.ends_with('/') {
        let index = format!("{key}index.html");
        if snapshot.has(&index) {
            return Found::File(index);
        }
    } else if snapshot.has(key) {
        return Found::File(key.to_string());
    } else if snapshot.has(&format!("{key}/index.html")) {
        return Found::Folder;
    }
    Found::Nothing
}

/// The request path as a key of the site's files (`communities/index.html`, or ending in
/// `/` for a folder), or `None` when it is malformed or steps outside: `.` and `..`
/// segments, backslashes and NULs, in plain or percent-encoded form.
pub(crate) fn site_path(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    if decoded.contains(['\\', '\0']) || !decoded.starts_with('/') {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded[1..].split('/') {
        match part {
            "." | ".." => return None,
            "" => {}
            _ => parts.push(part),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') && !key.is_empty() {
        key.push('/');
    }
    Some(key)
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What the server shows when there is no page to show: only the overlay.
const EMPTY_PAGE: &[u8] =
    b"<!doctype html><meta charset=\"utf-8\"><title>hongguanjia</title><body></body>";

async fn file(snapshot: &Snapshot, key: &str, status: StatusCode) -> Response {
    let made = match &snapshot.site {
        Some(site) => site.get(key).await,
        None => None,
    };
    let bytes = match made {
        Some(Ok(bytes)) => bytes,
        Some(Err(failure)) => {
            // The page could not be made (a template error, a private value in it): the
            // browser shows why, never the page.
            let html = inject_parts(EMPTY_PAGE, Some((&failure, PAGE_FAILED)), &snapshot.version);
            return respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/html; charset=utf-8",
                html,
            );
        }
        None => return plain(StatusCode::NOT_FOUND, "找不到这个页面。"),
    };
    let kind = content_type(key);
    if kind.starts_with("text/html") {
        respond(status, kind, inject(&bytes, snapshot))
    } else {
        respond(status, kind, bytes)
    }
}

fn respond(status: StatusCode, kind: &'static str, body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    // Every reload must show the latest build.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    respond(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(text.as_bytes()),
    )
}

/// The media type of a built file, by its extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "xml" if path.ends_with("atom.xml") => "application/atom+xml",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// Adds the reload script, and the failed build's messages as an overlay, before the
/// page's `</body>`. Pages written by `build` never get this.
pub(crate) fn inject(html: &[u8], snapshot: &Snapshot) -> Bytes {
    let what = if snapshot.site.is_some() {
        "页面仍是上一次成功生成的版本；改好并保存后会自动刷新。"
    } else {
        "网站还没有成功生成过；改好并保存后会自动刷新。"
    };
    inject_parts(
        html,
        snapshot.failure.as_deref().map(|f| (f, what)),
        &snapshot.version,
    )
}

/// Under the overlay of a page that could not be made.
const PAGE_FAILED: &str = "这个页面没有生成出来，网站的其他页面照常预览；改好并保存后会自动刷新。";

/// Adds the reload script for `version`, and the overlay of `failure` (its messages, and
/// what they mean for the page) when there is one.
fn inject_parts(html: &[u8], failure: Option<(&str, &str)>, version: &str) -> Bytes {
    let mut extra = String::new();
    if let Some((failure, what)) = failure {
        extra.push_str(&overlay(failure, what));
    }
    extra.push_str(&format!(
        "<script id=\"{MARK}-reload\">(function(){{var v=\"{}\";var s=new EventSource(\"{EVENTS}\");s.onmessage=function(e){{if(e.data!==v){{s.close();location.reload();}}}};}})();</script>\n",
        escape(version)
    ));
    let at = find_body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    Bytes::from(out)
}

fn find_body_end(html: &[u8]) -> Option<usize> {
    let needle = b"</body>";
    (0..html.len().saturating_sub(needle.len() - 1))
        .rev()
        .find(|&i| html[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The failed build's messages over the page, and `what` that means for it. Plain `div`s
/// with inline styles, so that the site's own stylesheet (which styles headings and
/// paragraphs) does not reach it.
fn overlay(failure: &str, what: &str) -> String {
    format!(
        "<div id=\"{MARK}-overlay\" role=\"alert\" style=\"all:initial;position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#1d1d1f;color:#f5f5f5;font:15px/1.6 system-ui,sans-serif;padding:2rem;box-sizing:border-box\">\
<div style=\"max-width:60rem;margin:0 auto\">\
<div style=\"font-size:1.3rem;font-weight:bold;color:#ff8a80;margin:0 0 .5rem\">生成失败</div>\
<div style=\"margin:0 0 1rem\">下面是这次生成发现的问题。{what}</div>\
<pre style=\"white-space:pre-wrap;word-break:break-all;background:#000;color:#ffe0b2;padding:1rem;margin:0 0 1rem;border-radius:6px;font:14px/1.6 ui-monospace,monospace\">{}</pre>\
<button type=\"button\" onclick=\"document.getElementById('{MARK}-overlay').remove()\" style=\"font:inherit;padding:.3rem 1rem;cursor:pointer\">暂时关闭</button>\
</div></div>\n",
        escape(failure),
    )
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_site_map_to_keys() {
        assert_eq!(site_path("/").as_deref(), Some(""));
        assert_eq!(site_path("/communities/").as_deref(), Some("communities/"));
        assert_eq!(
            site_path("/assets//style.css").as_deref(),
            Some("assets/style.css")
        );
        assert_eq!(
            site_path("/pages/%E5%85%B3%E4%BA%8E/index.html").as_deref(),
            Some("pages/关于/index.html")
        );
    }

    #[test]
    fn paths_that_step_outside_are_refused() {
        for raw in [
            "/../site.toml",
            "/a/../../site.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E%2Fsite.toml",
            "/assets/..%2f..%2fsite.toml",
            "/..%5csite.toml",
            "/assets\\..\\site.toml",
            "/./index.html",
            "/a%00b",
            "/%zz",
            "/%ff",
        ] {
            assert_eq!(site_path(raw), None, "{raw}");
        }
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let snapshot = Snapshot {
            version: "v1".into(),
            failure: Some("a.csv:2: 户数: \"<b>三\" 不是整数".into()),
            ..Snapshot::default()
        };
        let out = inject(b"<html><BODY><p>x</p></BODY></html>", &snapshot);
        let out = String::from_utf8_lossy(&out);
        assert!(out.ends_with("</script>\n</BODY></html>"), "{out}");
        assert!(out.contains("&quot;&lt;b&gt;三&quot;"), "{out}");
        assert!(!out.contains("<b>三"), "{out}");
    }
}
