// What the province server's pages share besides text: building elements (text only through textContent), reading
// the JSON API (a lapsed session goes back to sign-in), and the bar on top of the signed-in pages.
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

  return { el, row, json, session, query, failed };
})();
