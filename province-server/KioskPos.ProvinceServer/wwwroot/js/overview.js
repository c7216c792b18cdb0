// The overview (/, administrators): per institution where it is today (its commune; districts ended on 1 July 2025)
// and the payments received, per terminal its last contact and state. Reads GET /api/v1/admin/institutions and
// /api/v1/admin/terminals, again every 5 seconds; both tables sort and filter (tables.js) and keep the order and the
// filter chosen across the refresh. Below the institutions, a hospital's facility code (MA_CSKCB), which its XML
// imports are checked against, is set or cleared (PUT /api/v1/admin/institutions/{id}/facility-code); the server
// checks it and its refusal is shown as it words it.
"use strict";

(async () => {
  const { row, both, data } = Page;
  // The catalogue's name for a code (an institution type, a printer state), in both languages; the code itself when it has none.
  const named = (prefix, code) => {
    const key = `${prefix}.${code}`;
    return I18n.text(key) === key ? code : both(key);
  };
  const institutionsTable = document.getElementById("institutions");
  const terminalsTable = document.getElementById("terminals");
  const facilityForm = document.getElementById("facility");
  const codes = new Map();

  async function refresh() {
    const [institutions, terminals] = await Promise.all([Page.json("/api/v1/admin/institutions"), Page.json("/api/v1/admin/terminals")]);
    const names = new Map(institutions.map((i) => [i.id, i.name]));
    institutionsTable.tBodies[0].replaceChildren(...institutions.map((i) =>
      row([i.id, data(i.name), named("province.geo.type", i.type), i.commune ? data(i.commune) : "–", [i.payments, "n"], [I18n.money(i.value), "n", String(i.value)], i.facilityCode ?? "–"])));
    // The form's list of institutions, kept as chosen: only institutions not listed yet are added.
    const select = facilityForm.elements.namedItem("institution");
    for (const i of institutions) {
      codes.set(i.id, i.facilityCode ?? "");
      if (![...select.options].some((o) => o.value === i.id)) {
        select.append(Page.el("option", { value: i.id, "data-data": true }, `${i.name} (${i.id})`));
      }
    }
    terminalsTable.tBodies[0].replaceChildren(...terminals.map((t) => row([
      t.revoked ? `${t.id} ${both("province.overview.revoked")}` : t.id,
      data(names.get(t.institutionId) ?? t.institutionId),
      data(t.name),
      [t.ackedThrough, "n"],
      t.lastSeenAt ? [I18n.dateTime(t.lastSeenAt), "", String(Date.parse(t.lastSeenAt))] : [both("province.overview.never"), "", "0"],
      t.version ?? "–",
      [t.queued ?? "–", "n"],
      t.printerState ? [named("province.printer", t.printerState), t.printerState === "ready" ? "ok" : "bad"] : "–",
      data(t.lastError ?? ""),
      t.upgrade?.channel ?? "–",
      t.upgrade?.targetVersion ? [t.upgrade.targetVersion, t.upgrade.targetVersion === t.version ? "ok" : ""] : "–",
      t.upgrade?.lastResult
        ? [`${named("province.upgrade", t.upgrade.lastResult)} ${t.upgrade.lastVersion} (${I18n.dateTime(t.upgrade.lastAt)}) ${t.upgrade.lastDetail ?? ""}`.trim(), t.upgrade.lastResult === "upgraded" ? "ok" : "bad"]
        : "–",
    ])));
    Tables.changed(institutionsTable);
    Tables.changed(terminalsTable);
  }

  // The chosen institution's code in the field; saved, the table shows it at once.
  function showCode() {
    facilityForm.elements.namedItem("facilityCode").value = codes.get(facilityForm.elements.namedItem("institution").value) ?? "";
  }

  facilityForm.elements.namedItem("institution").addEventListener("change", showCode);
  facilityForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = facilityForm.elements.namedItem("institution").value;
    const code = facilityForm.elements.namedItem("facilityCode").value.trim();
    const result = facilityForm.elements.namedItem("result");
    const answer = await Page.send("PUT", `/api/v1/admin/institutions/${encodeURIComponent(id)}/facility-code`, { facilityCode: code || null });
    if (answer.ok) {
      result.className = "ok";
      result.textContent = code ? both("province.facility.saved", code, id) : both("province.facility.cleared", id);
      await refresh();
    } else {
      const problem = answer.body;
      result.className = "warn";
      result.textContent = problem.detail ? `${problem.title} ${problem.detail}` : (problem.title ?? String(answer.status));
    }
  });

  try {
    await I18n.load();
    await Page.session();
    await refresh();
    showCode();
    Tables.enhance(institutionsTable);
    Tables.enhance(terminalsTable);
    setInterval(() => refresh().catch(Page.failed), 5000);
  } catch (error) {
    Page.failed(error);
  }
})();
