// Imports (/imports, an administrator or an institution's accountant). A bills file goes to POST
// /api/v1/admin/bills/import as it is (its type from its name: CSV, the Ministry of Health's XML, .xlsx), with the
// institution where one is chosen (an accountant's own, the only one offered); a statement file to POST
// /api/v1/admin/bank/connections/{id}/statement of a connection GET /api/v1/admin/bank/statement-connections offers
// (an accountant: their institution's; one without an account number is listed, not offered, with what it lacks).
// Each answer is told in words: what was imported, or each refusal with the row and where the API names it, in
// Vietnamese with the English beneath, and how many more the API left out. Below, the chosen connection's gaps
// (…/statement/gaps): the days of lines no notification reported, and the held lines, each credited or dismissed with
// a reason (…/held/{heldId}/credit|dismiss).
// The server bounds and checks everything; the sizes here only spare sending a file it would refuse.
"use strict";

(async () => {
  const { el, row } = Page;
  const spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const mb = 1024 * 1024;
  const billsForm = document.getElementById("bills");
  const statementForm = document.getElementById("statement");
  const gapsTable = document.getElementById("gaps");

  // The catalogue's words for a code (a line's status, a match's outcome), in both languages; the code itself when it
  // has none. wordsIn: in one language, for a sentence that is itself in both (I18n.both asks it per half).
  const wordsIn = (lang, prefix, code) => {
    const key = `${prefix}.${code}`;
    const text = I18n.textIn(lang, key);
    return text === key ? code : text;
  };
  const words = (prefix, code) => {
    const key = `${prefix}.${code}`;
    const text = I18n.both(key);
    return text === key ? code : text;
  };

  // A problem the API answered: its title (the catalogue's, Vietnamese) and its detail for whoever reads further.
  const problem = (answer) => el("p", { class: "warn", role: "alert" },
    answer.body.title ?? `HTTP ${answer.status}`, answer.body.detail ? el("br") : null, answer.body.detail ? el("small", {}, answer.body.detail) : null);

  // Sends a file, showing that it is on its way; a network failure is said in words, not thrown.
  async function upload(out, file, url, type) {
    out.replaceChildren(el("p", { class: "muted" }, I18n.both("province.imports.sending", file.name)));
    try {
      return await Page.post(url, file, type);
    } catch (error) {
      if (error.message !== "signed out") {
        out.replaceChildren(el("p", { class: "warn", role: "alert" }, I18n.both("province.imports.failed", file.name)));
      }
      return null;
    }
  }

  // Where an error is: a workbook's sheet and column in words (the row has its own column), a CSV statement's column,
  // else the API's path.
  const where = (e) => e.sheet
    ? I18n.both(e.column ? "province.imports.whereCell" : "province.imports.whereSheet", e.sheet, e.column)
    : e.column ? I18n.both("province.imports.whereColumn", e.column) : e.path ?? "";

  // A refused file told in words: how many errors (key), how many the API left out, and the table of those listed.
  const refused = (key, name, result) => {
    const leftOut = result.errorsLeftOut ?? 0;
    return [el("p", { class: "bad" }, I18n.both(key, name, I18n.number(result.errors.length + leftOut))),
      leftOut > 0 ? el("p", { class: "warn" }, I18n.both("province.imports.errorsLeftOut", I18n.number(result.errors.length), I18n.number(leftOut))) : null,
      refusals(result.errors)];
  };

  // What is wrong in the page's language, the other language beneath it.
  const said = (e) => {
    const [first, second, lang] = I18n.language === "en" ? [e.messageEn, e.message, "vi"] : [e.message, e.messageEn, "en"];
    return el("span", {}, first, second ? el("br") : null, second ? el("small", { lang }, second) : null);
  };

  // A table of the import's refusals: the row (1 = the header), where in the file, and what is wrong.
  function refusals(errors) {
    return el("table", { class: "refusals" },
      el("thead", {}, row([I18n.both("province.imports.row"), I18n.both("province.imports.where"), I18n.both("province.imports.problem")], "th")),
      el("tbody", {}, ...errors.map((e) => row([[e.line > 0 ? e.line : "–", "n"], where(e), said(e)]))));
  }

  billsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = document.getElementById("bills-result");
    const file = billsForm.elements.namedItem("file").files[0];
    const institution = billsForm.elements.namedItem("institution").value;
    const name = file.name.toLowerCase();
    const type = name.endsWith(".xml") ? "application/xml" : name.endsWith(".xlsx") ? spreadsheet : "text/csv";
    if (file.size > (type === "text/csv" ? 50 : 200) * mb) {
      out.replaceChildren(el("p", { class: "warn", role: "alert" }, I18n.both(type === "text/csv" ? "province.problem.too_large" : "province.problem.too_large.import")));
      return;
    }
    const answer = await upload(out, file, "/api/v1/admin/bills/import" + (institution ? `?institution=${encodeURIComponent(institution)}` : ""), type);
    if (!answer) {
      return;
    }
    const result = answer.body;
    if (answer.ok || (answer.status === 422 && Array.isArray(result.errors))) {
      const told = result.errors.length === 0
        ? [el("p", { class: "ok" }, I18n.both("province.imports.billsDone", file.name, result.created, result.updated, result.unchanged))]
        : refused("province.imports.billsRefused", file.name, result);
      if (result.facility) {
        const facility = result.facility;
        told.push(el("p", { class: facility.checked ? "" : "warn" }, facility.checked
          ? I18n.both("province.imports.facilityChecked", facility.file ?? "–")
          : I18n.both("province.imports.facilityUnchecked", facility.file ?? "–")));
      }
      out.replaceChildren(...told.filter((part) => part));
    } else {
      out.replaceChildren(problem(answer));
    }
  });

  // The statement's connections, and the gaps of the one chosen.
  const connectionOf = () => statementForm.elements.namedItem("connection").value;
  const connectionUrl = (id) => `/api/v1/admin/bank/connections/${encodeURIComponent(id)}/statement`;

  statementForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = document.getElementById("statement-result");
    const file = statementForm.elements.namedItem("file").files[0];
    const layout = statementForm.elements.namedItem("layout").value;
    if (file.size > 20 * mb) {
      out.replaceChildren(el("p", { class: "warn", role: "alert" }, I18n.both("province.problem.too_large.statement")));
      return;
    }
    const type = file.name.toLowerCase().endsWith(".xlsx") ? spreadsheet : "text/csv";
    const answer = await upload(out, file, connectionUrl(connectionOf()) + (layout ? `?layout=${encodeURIComponent(layout)}` : ""), type);
    if (!answer) {
      return;
    }
    if (answer.status === 400 && Array.isArray(answer.body.errors)) {
      // A broken statement: the problem's title (its first broken line, located), then each broken line as a bills file's.
      out.replaceChildren(problem(answer), ...refused("province.imports.statementRefused", file.name, answer.body).filter((part) => part));
      return;
    }
    if (!answer.ok) {
      out.replaceChildren(problem(answer));
      return;
    }
    const s = answer.body;
    const matched = s.results.filter((r) => r.status === "recorded" && r.paymentId).length;
    out.replaceChildren(
      el("p", { class: s.held > 0 ? "warn" : "ok" }, I18n.both("province.imports.statementDone", s.bank, s.account ?? "–", s.lines, s.recorded, matched, s.alreadyReported, s.alreadyImported, s.held, s.outgoingIgnored)),
      el("table", { class: "lines" },
        el("thead", {}, row([I18n.both("province.imports.row"), I18n.both("province.imports.reference"), I18n.both("province.imports.amount"),
          I18n.both("province.imports.status"), I18n.both("province.imports.outcome"), I18n.both("province.imports.payment")], "th")),
        el("tbody", {}, ...s.results.map((r) => row([[r.row, "n"], r.reference ?? "", [I18n.money(r.amount), "n"],
          [words("province.imports.status", r.status), r.status === "held" ? "bad" : ""], words("province.imports.outcome", r.outcome), r.paymentId ?? ""])))));
    await showGaps();
  });

  // A held line's decision in words: what it is now, who decided, when and why.
  const decided = (g) => el("span", { class: g.status === "credited" ? "ok" : "" },
    I18n.both("province.imports.decided", (lang) => wordsIn(lang, "province.imports.status", g.status), g.decidedBy, I18n.dateTime(g.decidedAt), g.reason));

  async function settle(form, line, action) {
    const out = document.getElementById("settle-result");
    const answer = await Page.post(`${connectionUrl(connectionOf())}/held/${encodeURIComponent(line.heldId)}/${action}`,
      { reason: form.elements.namedItem("reason").value.trim() });
    if (!answer.ok) {
      out.replaceChildren(problem(answer));
    } else {
      const d = answer.body;
      const said = d.decision === "credited"
        ? I18n.both("province.imports.settled.credited", I18n.money(line.amount), I18n.date(line.bookedOn), (lang) => wordsIn(lang, "province.imports.outcome", d.outcome))
        : I18n.both("province.imports.settled.dismissed", I18n.money(line.amount), I18n.date(line.bookedOn));
      out.replaceChildren(el("span", { class: "ok" }, said, d.repeated ? ` ${I18n.both("province.imports.settled.repeated")}` : null));
    }
    await showGaps();
  }

  const template = document.getElementById("settle");
  function decisionCell(g) {
    if (g.status !== "held") {
      return g.decidedBy ? decided(g) : "";
    }
    const form = template.content.firstElementChild.cloneNode(true);
    I18n.apply(form);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      settle(form, g, event.submitter.value).catch(Page.failed);
    });
    return form;
  }

  async function showGaps() {
    const id = connectionOf();
    if (!id) {
      return;
    }
    const gaps = await Page.json(`${connectionUrl(id)}/gaps?limit=500`);
    const days = new Map();
    for (const g of gaps.filter((g) => g.status === "recorded")) {
      days.set(g.bookedOn, (days.get(g.bookedOn) ?? 0) + 1);
    }
    document.getElementById("missing-days").textContent = days.size === 0
      ? I18n.both("province.imports.noMissingDays")
      : I18n.both("province.imports.missingDays", (lang) => [...days].sort().map(([day, n]) => I18n.textIn(lang, "province.imports.missingDay", I18n.date(day), n)).join(", "));
    gapsTable.tBodies[0].replaceChildren(...gaps.map((g) => {
      const tr = row([
        [I18n.date(g.bookedOn), "", g.bookedOn], [I18n.money(g.amount), "n", String(g.amount)],
        el("span", {}, g.description, g.duplicateOf ? el("br") : null, g.duplicateOf ? el("small", {}, I18n.both("province.imports.likeLine", g.duplicateOf)) : null),
        g.reference ?? "", [words("province.imports.status", g.status), g.status === "held" ? "bad" : ""],
        `${words("province.imports.outcome", g.outcome)}${g.paymentId ? ` (${g.paymentId})` : ""}`,
        `${g.importedBy ?? ""} ${I18n.dateTime(g.importedAt)}`.trim(), decisionCell(g),
      ]);
      if (g.heldId) {
        tr.dataset.held = g.heldId;
      }
      return tr;
    }));
    Tables.changed(gapsTable);
  }

  try {
    await I18n.load();
    const me = await Page.session();

    // The institution a bills file is for: an accountant's own, the only choice; an administrator any, or the file's column.
    const institution = billsForm.elements.namedItem("institution");
    if (me.isAdmin) {
      institution.append(el("option", { value: "" }, I18n.both("province.imports.institutionFromFile")),
        ...(await Page.json("/api/v1/admin/institutions")).map((i) => el("option", { value: i.id, "data-data": true }, `${i.name} (${i.id})`)));
    } else {
      institution.append(el("option", { value: me.institutionId }, me.institutionId));
    }

    // A connection without an account number cannot take a statement (each is checked against the account): it is
    // listed, not offered, and what it lacks is said before anyone chooses a file.
    const choices = await Page.json("/api/v1/admin/bank/statement-connections");
    const connection = statementForm.elements.namedItem("connection");
    connection.append(...choices.connections.map((c) => c.missing
      ? el("option", { value: c.id, disabled: true }, I18n.both("province.imports.connectionWithoutAccount", c.id, c.provider))
      : el("option", { value: c.id }, I18n.both("province.imports.connectionOption", c.id, c.accountNumber || "–", c.provider, c.institutionId ?? "–"))));
    statementForm.elements.namedItem("layout").append(...choices.layouts.map((l) => el("option", { value: l.id }, `${l.bank} (${l.id})`)));
    const unready = choices.connections.filter((c) => c.missing).map((c) => c.id);
    if (unready.length > 0) {
      const note = document.getElementById("without-account");
      note.textContent = I18n.both("province.problem.connection_without_account", unready.join(", "));
      note.hidden = false;
    }
    if (choices.connections.length === unready.length) {
      document.getElementById("no-connection").hidden = false;
      for (const control of statementForm.elements) {
        control.disabled = true;
      }
    }
    connection.addEventListener("change", () => {
      document.getElementById("settle-result").replaceChildren();
      showGaps().catch(Page.failed);
    });
    Tables.enhance(gapsTable);
    await showGaps();
  } catch (error) {
    Page.failed(error);
  }
})();
