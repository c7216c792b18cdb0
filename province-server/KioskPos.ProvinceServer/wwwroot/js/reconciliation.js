// Reconciliation (/reconciliation?from&to): per institution and day, and the worklist, from GET /api/v1/reconciliation
// (every institution for an administrator, their own for an accountant). An administrator resolves an item with the
// form in its row (a plain post to /reconciliation/resolve, which comes back here); an accountant only reads. Both
// tables sort and filter (tables.js); days read dd/MM/yyyy and times Vietnam's.
"use strict";

(async () => {
  const { el, row, both, data } = Page;

  try {
    await I18n.load();
    const me = await Page.session();
    const view = await Page.json("/api/v1/reconciliation" + Page.query("from", "to"));
    const period = `?from=${view.from}&to=${view.to}`;
    document.getElementById("period").textContent = `${I18n.date(view.from)} – ${I18n.date(view.to, -1)}`;
    document.getElementById("json").textContent = "/api/v1/reconciliation" + period;

    // An institution by its name, its code beside it (small) for the filter and for whoever types codes.
    const institution = (id, name) => id ? el("span", { title: id }, name ? data(name) : id, name ? " " : null, name ? el("small", {}, id) : null) : "?";

    // Days as dd/MM/yyyy, ordered by the day itself (tables.js reads the third element as the sort key).
    const day = (iso) => [I18n.date(iso), "", iso];
    const days = document.getElementById("days");
    const worklist = document.getElementById("worklist");
    days.tBodies[0].replaceChildren(...view.days.map((d) => row([
      institution(d.institutionId, d.institutionName), day(d.day), [I18n.money(d.due), "n"], [I18n.money(d.cardBalance), "n"], [I18n.money(d.vietQr), "n"],
      [I18n.money(d.externalCard), "n"], [I18n.money(d.topUps || 0), "n"], [I18n.money(d.receivedByBank), "n"], [d.openMismatches, d.openMismatches > 0 ? "n bad" : "n ok"],
    ])));

    const template = document.getElementById("resolve");
    worklist.tBodies[0].replaceChildren(...view.worklist.map((i) => {
      let resolution;
      if (i.resolvedAt) {
        resolution = el("span", { class: "ok" }, `✓ ${i.resolvedBy} ${I18n.both("province.recon.resolvedAt", I18n.dateTime(i.resolvedAt))}: `, data(i.note));
      } else if (me.canResolve) {
        resolution = template.content.firstElementChild.cloneNode(true);
        resolution.elements.namedItem("item").value = i.item;
        resolution.elements.namedItem("back").value = "/reconciliation" + period;
        I18n.apply(resolution);
      } else {
        resolution = el("span", { class: "bad" }, both("province.recon.open"));
      }
      const kind = `province.kind.${i.kind}`;
      return row([i.item, institution(i.institutionId, i.institutionName), day(i.day), I18n.both(kind) === kind ? i.kind : both(kind), [I18n.money(i.amount), "n"], i.detail, resolution]);
    }));
    for (const table of [days, worklist]) {
      Tables.enhance(table);
    }
  } catch (error) {
    Page.failed(error);
  }
})();
