// What the province server's pages share besides text: building elements (text only through textContent), reading
// the JSON API (a lapsed session goes back to sign-in), the bar on top of the signed-in pages, and the shell of the
// pages a link opens (lookup, refuse).
"use strict";

const Page = (() => {
  /** An element: props are attributes (class, href, …); children are strings (as text) or elements. */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value !== null && value !== undefined && value !== false) {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  /**
   * A table row of cells: [text, class, sort] (sort: what tables.js orders the cell by when its text does not order,
   * such as an ISO day behind dd/MM/yyyy) or plain texts/elements.
   */
  function row(cells, tag = "td") {
    return el("tr", {}, ...cells.map((cell) => Array.isArray(cell) ? el(tag, { class: cell[1], "data-sort": cell[2] }, cell[0]) : el(tag, {}, cell)));
  }

  function signInAgain() {
    location.assign("/login?return=" + encodeURIComponent(location.pathname + location.search));
  }

  /** GET url as JSON; 401 goes to sign-in, anything else not OK throws with the problem's title. */
  async function json(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401) {
      signInAgain();
      throw new Error("signed out");
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.title || `HTTP ${response.status}`);
    }
    return response.json();
  }

  /**
   * Sends body to url by method (POST, PUT, …) with the session cookie (the cookie is SameSite=Strict: no other site's
   * page sends it): a File as it is with its type, anything else as JSON. 401 goes to sign-in; otherwise
   * { ok, status, body }, body the JSON answered (the API's problem details when it refused), {} when none.
   */
  async function send(method, url, body, type = "application/json") {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": type },
      body: type === "application/json" ? JSON.stringify(body) : body,
    });
    if (response.status === 401) {
      signInAgain();
      throw new Error("signed out");
    }
    return { ok: response.ok, status: response.status, body: await response.json().catch(() => ({})) };
  }

  /** send as a POST. */
  function post(url, body, type = "application/json") {
    return send("POST", url, body, type);
  }

  /** The signed-in person, drawn into nav.bar: who, their role, the links their role opens. */
  async function session() {
    const me = await json("/api/v1/province/session");
    if (!me.signedIn) {
      signInAgain();
      throw new Error("signed out");
    }
    const bar = document.querySelector("nav.bar");
    if (bar) {
      for (const link of bar.querySelectorAll("[data-admin]")) {
        link.hidden = !me.isAdmin;
      }
      const role = me.isAdmin
        ? `${I18n.textIn("vi", "province.nav.roleAdmin")} / ${I18n.textIn("en", "province.nav.roleAdmin")}`
        : `${I18n.textIn("vi", "province.nav.roleAccountant", me.institutionId)} / ${I18n.textIn("en", "province.nav.roleAccountant", me.institutionId)}`;
      bar.querySelector(".who").textContent = `${me.fullName} (${role})`;
    }
    return me;
  }

  /** The page's query, passed on to the JSON it reads (from, to). */
  function query(...names) {
    const here = new URLSearchParams(location.search);
    const out = new URLSearchParams();
    for (const name of names) {
      if (here.has(name)) {
        out.set(name, here.get(name));
      }
    }
    const text = out.toString();
    return text ? "?" + text : "";
  }

  function failed(error) {
    const main = document.querySelector("main") || document.body;
    main.append(el("p", { class: "err", role: "alert" }, error.message));
  }

  // The pages a printed or shown link opens without signing in (a receipt, a card's statement, a pay link) share what
  // follows: the texts in both languages, a table of label and value, the heading, and the link's JSON or its refusal.

  /**
   * What institutions and people wrote (a name, a commune, a plan, a bill's title), marked as data (data-data, in
   * Vietnamese): the page's own words are around it, in both languages.
   */
  function data(text) {
    return el("span", { "data-data": true, lang: "vi" }, text);
  }

  /** A catalogue text in Vietnamese, then in English: "vi / en". */
  function both(key, ...args) {
    return `${I18n.textIn("vi", key, ...args)} / ${I18n.textIn("en", key, ...args)}`;
  }

  /** A table row: a heading cell (label) and a cell (a text or an element). */
  function pair(label, value) {
    return el("tr", {}, el("th", {}, label), el("td", {}, value));
  }

  /** The page's heading (h1#title) and the tab's title. */
  function title(text) {
    document.getElementById("title").textContent = text;
    document.title = `${text} — KioskPos`;
  }

  /**
   * Loads the texts and GETs api with the page's own query (the link's key or signature): { found } with the JSON, or
   * { problem } with the problem details the API refused the link with ({} when it gave none).
   */
  async function lookup(api) {
    await I18n.load();
    const response = await fetch(`${api}${location.search}`, { headers: { Accept: "application/json" } });
    return response.ok ? { found: await response.json() } : { problem: await response.json().catch(() => ({})) };
  }

  /** Shows section#refused: the catalogue's `${prefix}Text` in Vietnamese, and en (by default the same in English). */
  function refuse(prefix, en = I18n.textIn("en", `${prefix}Text`)) {
    const refused = document.getElementById("refused");
    refused.querySelector(".vi").textContent = I18n.textIn("vi", `${prefix}Text`);
    refused.querySelector(".en").textContent = en;
    refused.hidden = false;
  }

  return { el, row, json, send, post, session, query, failed, data, both, pair, title, lookup, refuse };
})();
