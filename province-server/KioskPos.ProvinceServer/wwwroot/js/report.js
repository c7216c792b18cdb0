// The plan report (/report?from&to&plan&units): the figures from GET /api/v1/report/plan (the province for an
// administrator, their institution for an accountant) read against the chosen plan, in the units of the period's time
// or today's; the charts as SVG the server draws (/api/v1/report/plan/{value,types,trend,behind}.svg); every table
// sorts and filters (tables.js); CSV per view; a print view for the monthly meeting.
"use strict";

(async () => {
  const { row, el, both, data } = Page;
  const typeName = (type) => {
    const key = `province.geo.type.${type}`;
    const name = I18n.both(key);
    return name === key ? type : name;
  };
  // A share beside its target with the outcome in words as well as colour (a black-and-white print, a reader who does
  // not tell red from green): "48,6 % (chưa đạt)", still ordered by the share. met: the server's flag where it gives one.
  const outcome = (met) => I18n.both(met ? "province.report.met" : "province.report.notMet");
  const reachedText = (value, met) => `${I18n.percent(value)} (${outcome(met)})`;
  // The same in one language, for a sentence that is itself in both (I18n.both asks it per half).
  const reachedIn = (value, met) => (lang) => `${I18n.percent(value)} (${I18n.textIn(lang, met ? "province.report.met" : "province.report.notMet")})`;
  const reached = (value, target, met = value >= target) => [reachedText(value, met), met ? "n ok" : "n bad", value];
  const change = (value) => [value === null || value === undefined ? "–" : `${value > 0 ? "+" : ""}${I18n.percent(value)}`, "n"];

  try {
    await I18n.load();
    const me = await Page.session();
    const query = Page.query("from", "to", "plan", "units");
    const view = await Page.json("/api/v1/report/plan" + query);

    if (!me.isAdmin) {
      const own = document.getElementById("own");
      own.querySelector(".institution").textContent = me.institutionId ?? "";
      own.hidden = false;
    }

    // The choice: the period, the plan (every plan for an administrator, the one read for an accountant), the units.
    const form = document.getElementById("choose");
    form.elements.from.value = view.from;
    form.elements.to.value = view.to;
    form.elements.units.value = view.units;
    const plans = me.isAdmin ? (await Page.json("/api/v1/admin/plans")).plans : [view.plan];
    form.elements.plan.replaceChildren(...plans.map((p) => el("option", { value: p.id, selected: p.id === view.plan.id, "data-data": true }, `${p.title} — ${p.area}`)));
    document.getElementById("print").addEventListener("click", () => window.print());

    const chosen = new URLSearchParams({ from: view.from, to: view.to, plan: view.plan.id, units: view.units }).toString();
    document.getElementById("period").textContent = `${I18n.date(view.from)} – ${I18n.date(view.to, -1)}`;
    document.getElementById("year").textContent = I18n.both("province.report.planYear", view.year);
    document.getElementById("csv").href = `/report?${chosen}&format=csv`;
    // The figures as JSON, where every role that reads this page may read them (the administrator's
    // /api/v1/admin/report/plan answers an accountant 403).
    const json = document.getElementById("json");
    json.href = `/api/v1/report/plan?${chosen}`;
    json.textContent = json.getAttribute("href");
    document.getElementById("plan-line").textContent =
      `${I18n.both("province.geo.report.planLine", view.plan.title, view.plan.authority, view.plan.area, view.plan.startYear)} · ${I18n.both("province.geo.report.units")}: ${I18n.both(`province.geo.report.units.${view.units}`)}`;
    document.getElementById("printed").textContent = I18n.both("province.geo.report.printedAt", I18n.dateTime(new Date().toISOString()));

    const value = document.getElementById("value");
    value.querySelector(".paid").textContent = I18n.money(view.cashlessValue);
    value.querySelector(".due").textContent = I18n.money(view.due);
    const valueMet = view.valueSharePercent >= view.valueTargetPercent;
    const valueShare = value.querySelector(".share");
    valueShare.textContent = I18n.percent(view.valueSharePercent);
    valueShare.className = valueMet ? "share ok" : "share bad";
    const valueOutcome = value.querySelector(".met");
    valueOutcome.textContent = `(${outcome(valueMet)})`;
    valueOutcome.className = valueMet ? "met ok" : "met bad";
    value.querySelector(".target").textContent = I18n.percent(view.valueTargetPercent);
    value.querySelector(".payments").textContent = I18n.both("province.report.payments", view.cashlessPayments);
    const count = document.getElementById("count");
    const countMet = view.countSharePercent >= view.countTargetPercent;
    count.textContent = I18n.both("province.geo.report.countLine", view.cashlessPayments, view.bills, reachedIn(view.countSharePercent, countMet), I18n.percent(view.countTargetPercent));
    count.className = countMet ? "ok" : "bad";
    document.getElementById("topups").textContent = I18n.both("province.report.topUps", I18n.money(view.topUps || 0));

    for (const chart of document.querySelectorAll("img[data-chart]")) {
      chart.alt = both(chart.dataset.alt);
      chart.src = `/api/v1/report/plan/${chart.dataset.chart}.svg?${chosen}`;
    }

    const fill = (id, rows) => {
      const table = document.getElementById(id);
      table.tBodies[0].replaceChildren(...rows);
      Tables.changed(table);
    };
    const group = (g) => [g.institutions, "n"];
    fill("types", view.byType.map((g) => row([
      typeName(g.type), data(g.planLabel ?? ""), group(g), [g.takingCashless, "n"], reached(g.sharePercent, g.targetPercent, g.met), [I18n.percent(g.targetPercent), "n"],
    ])));
    // Each year's three targets (institutions taking cashless payment, value, count), each with the share reached beside it.
    fill("years", view.years.map((y) => row([
      [y.year, "n"], [y.institutions, "n"], [y.takingCashless, "n"], reached(y.institutionSharePercent, y.institutionTargetPercent, y.institutionMet), [I18n.percent(y.institutionTargetPercent), "n"],
      [I18n.money(y.cashlessValue), "n"], reached(y.valueSharePercent, y.valueTargetPercent, y.valueMet), [I18n.percent(y.valueTargetPercent), "n"], change(y.valueChangePercent),
      [y.cashlessPayments, "n"], [y.bills, "n"], reached(y.countSharePercent, y.countTargetPercent, y.countMet), [I18n.percent(y.countTargetPercent), "n"], change(y.countChangePercent),
    ])));
    const commune = (c) => [data(c.commune), data(c.province), [c.institutions, "n"], [c.takingCashless, "n"], reached(c.sharePercent, c.targetPercent), [I18n.percent(c.targetPercent), "n"]];
    const gap = (c) => [I18n.percent(c.gapPoints), c.gapPoints < 0 ? "n bad" : "n ok"];
    fill("behind", view.behind.map((c) => row([...commune(c), gap(c)])));
    fill("communes", view.byCommune.map((c) => row([
      ...commune(c), [I18n.money(c.cashlessValue), "n"], [I18n.money(c.due), "n"], [I18n.percent(c.valueSharePercent), "n"],
      [c.cashlessPayments, "n"], [c.bills, "n"], [I18n.percent(c.countSharePercent), "n"], gap(c),
    ])));
    // The old districts: the unit of the 2022 plans, shown only when the plan read is one (its area an old province);
    // districts ended on 1 July 2025, so a plan of today's province is read by commune alone.
    const oldDistricts = view.plan.areaKind === "old_province" && view.byDistrict.length > 0;
    document.getElementById("districts-section").hidden = !oldDistricts;
    if (!oldDistricts) {
      document.querySelector('#institutions th[data-msg="province.geo.report.oldDistrict"]').remove();
    }
    fill("districts", view.byDistrict.map((g) => row([
      data(g.district ?? ""), typeName(g.type), group(g), [g.takingCashless, "n"], reached(g.sharePercent, g.targetPercent, g.met), [I18n.percent(g.targetPercent), "n"],
    ])));
    fill("institutions", view.institutions.map((i) => row([
      data(i.name), typeName(i.type), data(i.commune), data(i.province), ...(oldDistricts ? [data(i.district)] : []),
      [I18n.both(i.activeTerminal ? "province.report.yes" : "province.report.no"), i.activeTerminal ? "ok" : "bad"],
      [i.cashlessPayments, "n"], [I18n.money(i.cashlessValue), "n"], [I18n.money(i.due), "n"],
    ])));

    // CSV of each view beside its table.
    for (const table of document.querySelectorAll("table[data-view]")) {
      const link = el("a", { href: `/report?${chosen}&format=csv&view=${table.dataset.view}`, class: "csv" }, `${I18n.both("province.geo.report.download")} CSV`);
      table.after(el("p", { class: "csv-link" }, link));
    }
    for (const table of document.querySelectorAll("table[data-sortable]")) {
      Tables.enhance(table);
    }
  } catch (error) {
    Page.failed(error);
  }
})();
