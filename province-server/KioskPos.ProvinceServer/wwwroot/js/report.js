// The plan report (/report?from&to): the figures from GET /api/v1/report/plan (the province for an administrator, their
// institution for an accountant), the bars as SVG the server draws (/api/v1/report/plan/value.svg, types.svg).
"use strict";

(async () => {
  const { row } = Page;
  const typeName = (type) => {
    const key = `province.type.${type}`;
    const name = I18n.text(key);
    return name === key ? type : name;
  };

  try {
    await I18n.load();
    const me = await Page.session();
    const query = Page.query("from", "to");
    const view = await Page.json("/api/v1/report/plan" + query);

    if (!me.isAdmin) {
      const own = document.getElementById("own");
      own.querySelector(".institution").textContent = me.institutionId ?? "";
      own.hidden = false;
    }

    document.getElementById("period").textContent = `${I18n.date(view.from)} – ${I18n.date(view.to, -1)}`;
    document.getElementById("year").textContent = I18n.text("province.report.planYear", view.year);
    document.getElementById("csv").href = `/report?from=${view.from}&to=${view.to}&format=csv`;
    document.getElementById("json").textContent = "/api/v1/report/plan";

    const value = document.getElementById("value");
    value.querySelector(".paid").textContent = I18n.money(view.cashlessValue);
    value.querySelector(".due").textContent = I18n.money(view.due);
    const share = value.querySelector(".share");
    share.textContent = I18n.percent(view.valueSharePercent);
    share.className = view.valueSharePercent >= view.valueTargetPercent ? "share ok" : "share bad";
    value.querySelector(".target").textContent = `${view.valueTargetPercent}%`;
    value.querySelector(".payments").textContent = I18n.text("province.report.payments", view.cashlessPayments);

    const period = `?from=${view.from}&to=${view.to}`;
    for (const chart of document.querySelectorAll("img[data-chart]")) {
      chart.alt = I18n.text(`province.report.${chart.dataset.chart}Chart`);
      chart.src = `/api/v1/report/plan/${chart.dataset.chart}.svg${period}`;
    }

    document.querySelector("#districts tbody").replaceChildren(...view.byDistrict.map((g) => row([
      g.district ?? "", typeName(g.type), [g.institutions, "n"], [g.takingCashless, "n"],
      [I18n.percent(g.sharePercent), g.met ? "n ok" : "n bad"], [`${g.targetPercent}%`, "n"],
    ])));
    document.querySelector("#institutions tbody").replaceChildren(...view.institutions.map((i) => row([
      i.name, typeName(i.type), i.district,
      [I18n.text(i.activeTerminal ? "province.report.yes" : "province.report.no"), i.activeTerminal ? "ok" : "bad"],
      [i.cashlessPayments, "n"], [I18n.money(i.cashlessValue), "n"], [I18n.money(i.due), "n"],
    ])));
  } catch (error) {
    Page.failed(error);
  }
})();
