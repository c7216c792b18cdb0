// A card's month statement (/s/{account}/{yyyy-MM}?t=…&e=…&k=…, where the statement slip's QR leads):
// GET /api/v1/statements/{account}/{month} with the same query answers the month (the holder's name masked) or a
// problem: invalid_statement_link (not a statement link), statement_not_found (a code that does not match, for any
// reason) or statement_link_expired. Vietnamese first, English beside it.
"use strict";

(async () => {
  const { el } = Page;
  const both = (key, ...args) => `${I18n.textIn("vi", key, ...args)} / ${I18n.textIn("en", key, ...args)}`;
  const pair = (key, value) => el("tr", {}, el("th", {}, both(key)), el("td", {}, value));
  const title = (text) => {
    document.getElementById("title").textContent = text;
    document.title = `${text} — KioskPos`;
  };

  try {
    await I18n.load();
    const [account, month] = location.pathname.split("/").slice(-2); // as the address has them, still escaped
    const response = await fetch(`/api/v1/statements/${account}/${month}${location.search}`, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      const prefix = problem.code === "invalid_statement_link" ? "province.statement.bad"
        : problem.code === "statement_link_expired" ? "province.statement.expired"
        : "province.statement.notFound";
      title(I18n.textIn("vi", `${prefix}Title`));
      const refused = document.getElementById("refused");
      refused.querySelector(".vi").textContent = I18n.textIn("vi", `${prefix}Text`);
      refused.querySelector(".en").textContent = `${I18n.textIn("en", `${prefix}Title`)}. ${I18n.textIn("en", `${prefix}Text`)}`;
      refused.hidden = false;
      return;
    }

    const s = await response.json();
    const shownMonth = `${s.month.slice(5)}/${s.month.slice(0, 4)}`;
    title(both("province.statement.title", shownMonth));
    document.querySelector("#summary tbody").replaceChildren(
      pair("province.statement.institution", s.institutionName),
      pair("province.statement.holder", s.holderName),
      pair("province.statement.account", s.accountCode),
      pair("province.statement.credits", "+" + I18n.money(s.credits)),
      pair("province.statement.debits", I18n.money(-s.debits)),
      pair("province.statement.balance", s.balanceText),
      pair("province.statement.standing", el("b", { id: "standing" }, s.standingCode)));

    document.getElementById("moves-title").textContent = both("province.statement.movements");
    document.querySelector("#moves thead").replaceChildren(el("tr", {},
      ...["at", "what", "amount"].map((k) => el("th", { scope: "col" }, both(`province.statement.${k}`)))));
    // Where: the terminal, a bank transfer from home, or the office (the closing refund); the receipt number under it.
    const place = (p) => p === "home" ? both("province.statement.home") : p === "office" ? both("province.statement.office") : (p ?? "");
    document.querySelector("#moves tbody").replaceChildren(...s.movements.map((m) => el("tr", { "data-kind": m.kind },
      el("td", {}, I18n.dateTime(m.at)),
      el("td", {}, el("span", {}, m.labelVi), " ", el("small", { lang: "en" }, `(${m.labelEn})`), el("br"),
        el("small", { class: "muted where" }, place(m.place)), el("br"), el("small", { class: "muted ref" }, m.reference)),
      el("td", { class: m.amount > 0 ? "n ok" : "n" }, m.amountText))));
    const none = document.getElementById("none");
    none.hidden = s.movements.length > 0;
    none.textContent = both("province.statement.none");
    const truncated = document.getElementById("truncated");
    truncated.hidden = !s.truncated;
    truncated.textContent = both("province.statement.truncated", s.maxMovements);
    document.getElementById("expires").textContent = both("province.statement.expires", I18n.dateTime(s.expiresAt));
    document.getElementById("found").hidden = false;
  } catch (error) {
    Page.failed(error);
  }
})();
