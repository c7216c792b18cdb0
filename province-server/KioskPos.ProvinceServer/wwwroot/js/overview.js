// The overview (/, administrators): per institution the payments received, per terminal its last contact and state.
// Reads GET /api/v1/admin/institutions and /api/v1/admin/terminals, again every 5 seconds.
"use strict";

(async () => {
  const { row } = Page;
  const typeName = (type) => {
    const key = `province.geo.type.${type}`;
    const name = I18n.text(key);
    return name === key ? type : name;
  };

  async function refresh() {
    const [institutions, terminals] = await Promise.all([Page.json("/api/v1/admin/institutions"), Page.json("/api/v1/admin/terminals")]);
    document.querySelector("#institutions tbody").replaceChildren(...institutions.map((i) =>
      row([i.id, i.name, typeName(i.type), i.district, [i.payments, "n"], [I18n.money(i.value), "n"]])));
    document.querySelector("#terminals tbody").replaceChildren(...terminals.map((t) => row([
      t.revoked ? `${t.id} ${I18n.text("province.overview.revoked")}` : t.id,
      t.institutionId,
      t.name,
      [t.ackedThrough, "n"],
      t.lastSeenAt ? I18n.dateTime(t.lastSeenAt) : `${I18n.textIn("vi", "province.overview.never")} / ${I18n.textIn("en", "province.overview.never")}`,
      t.version ?? "-",
      [t.queued ?? "-", "n"],
      t.printerState ?? "-",
      t.lastError ?? "",
    ])));
  }

  try {
    await I18n.load();
    await Page.session();
    await refresh();
    setInterval(() => refresh().catch(Page.failed), 5000);
  } catch (error) {
    Page.failed(error);
  }
})();
