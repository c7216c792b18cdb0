// A card's month statement (/s/{account}/{yyyy-MM}?t=…&e=…&k=…, where the statement slip's QR leads):
// GET /api/v1/statements/{account}/{month} with the same query answers the month (the holder's name masked) or a
// problem: invalid_statement_link (not a statement link), statement_not_found (a code that does not match, for any
// reason) or statement_link_expired. Vietnamese first, English beside it.
"use strict";

(async () => {
  const { el, both, pair, title } = Page;

  try {
    const [account, month] = location.pathname.split("/").slice(-2); // as the address has them, still escaped
    const { found: s, problem } = await Page.lookup(`/api/v1/statements/${account}/${month}`);
    if (problem) {
      const prefix = problem.code === "invalid_statement_link" ? "province.statement.bad"
        : problem.code === "statement_link_expired" ? "province.statement.expired"
        : "province.statement.notFound";
      title(I18n.textIn("vi", `${prefix}Title`));
      Page.refuse(prefix, `${I18n.textIn("en", `${prefix}Title`)}. ${I18n.textIn("en", `${prefix}Text`)}`);
      return;
    }

    const shownMonth = `${s.month.slice(5)}/${s.month.slice(0, 4)}`;
    title(both("province.statement.title", shownMonth));
    document.querySelector("#summary tbody").replaceChildren(
      pair(both("province.statement.institution"), s.institutionName),
      pair(both("province.statement.holder"), s.holderName),
      pair(both("province.statement.account"), s.accountCode),
      pair(both("province.statement.credits"), "+" + I18n.money(s.credits)),
      pair(both("province.statement.debits"), I18n.money(-s.debits)),
      pair(both("province.statement.balance"), s.balanceText),
      pair(both("province.statement.standing"), el("b", { id: "standing" }, s.standingCode)));

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
