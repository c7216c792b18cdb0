// The overview (/, administrators): per institution where it is today (its commune; districts ended on 1 July 2025)
// and the payments received, per terminal its last contact and state. Reads GET /api/v1/admin/institutions and
// /api/v1/admin/terminals, again every 5 seconds; both tables sort and filter (tables.js) and keep the order and the
// filter chosen across the refresh.
"use strict";

(async () => {
  const { row, both } = Page;
  // The catalogue's name for a code (an institution type, a printer state); the code itself when it has none.
  const named = (prefix, code) => {
    const key = `${prefix}.${code}`;
    const name = I18n.text(key);
    return name === key ? code : name;
  };
  const institutionsTable = document.getElementById("institutions");
  const terminalsTable = document.getElementById("terminals");

  async function refresh() {
    const [institutions, terminals] = await Promise.all([Page.json("/api/v1/admin/institutions"), Page.json("/api/v1/admin/terminals")]);
    const names = new Map(institutions.map((i) => [i.id, i.name]));
    institutionsTable.tBodies[0].replaceChildren(...institutions.map((i) =>
      row([i.id, i.name, named("province.geo.type", i.type), i.commune || "–", [i.payments, "n"], [I18n.money(i.value), "n", String(i.value)]])));
    terminalsTable.tBodies[0].replaceChildren(...terminals.map((t) => row([
      t.revoked ? `${t.id} ${I18n.text("province.overview.revoked")}` : t.id,
      names.get(t.institutionId) ?? t.institutionId,
      t.name,
      [t.ackedThrough, "n"],
      t.lastSeenAt ? [I18n.dateTime(t.lastSeenAt), "", String(Date.parse(t.lastSeenAt))] : [both("province.overview.never"), "", "0"],
      t.version ?? "–",
      [t.queued ?? "–", "n"],
      t.printerState ? [named("province.printer", t.printerState), t.printerState === "ready" ? "ok" : "bad"] : "–",
      t.lastError ?? "",
      t.upgrade?.channel ?? "–",
      t.upgrade?.targetVersion ? [t.upgrade.targetVersion, t.upgrade.targetVersion === t.version ? "ok" : ""] : "–",
      t.upgrade?.lastResult
        ? [`${named("province.upgrade", t.upgrade.lastResult)} ${t.upgrade.lastVersion} (${I18n.dateTime(t.upgrade.lastAt)}) ${t.upgrade.lastDetail ?? ""}`.trim(), t.upgrade.lastResult === "upgraded" ? "ok" : "bad"]
        : "–",
    ])));
    Tables.changed(institutionsTable);
    Tables.changed(terminalsTable);
  }

  try {
    await I18n.load();
    await Page.session();
    await refresh();
    Tables.enhance(institutionsTable);
    Tables.enhance(terminalsTable);
    setInterval(() => refresh().catch(Page.failed), 5000);
  } catch (error) {
    Page.failed(error);
  }
})();
