// The self-service kiosk (/kiosk). Live by server-sent events (taps, the bank's answer, the network, the printer).
// After `idle` seconds without a touch (60; ?idle=N to change) every screen but a waiting QR goes home and forgets the
// pupil, so the next parent never sees the last child's fees. The keypad types the digits of the payer code after
// its prefix (HS for pupils; ?prefix=BN for patients), or the 12 digits of a citizen-ID card (CCCD), whose QR the
// 2D scanner also reads (the `scan` event). Payments go through the same payment API as every screen.
// The page words itself by the institution's type (GET /api/v1/kiosk/institution), not by the prefix: at a school it
// speaks of pupils (học sinh, mã học sinh, lớp), at a hospital of patients (người bệnh, mã người bệnh, khoa), with
// the catalogue's kiosk.hospital.… text wherever a kiosk.… text has one.
(function () {
  'use strict';
  var t = I18n.t, vnd = I18n.money;
  var params = new URLSearchParams(location.search), idleSeconds = Number(params.get('idle')) || 60;
  var lastScreen = null, code = '', pin = '', payer = null, card = null, payment = null, idleTimer = null, countdown = null, relativeTimer = null, prefix = params.get('prefix') || 'HS';
  var topUpAmount = '', shown = null, hospital = false, ready = false;
  // The health facilities' types (InstitutionType's wire names); every other type is a school.
  var healthTypes = ['provincial_hospital', 'district_health_centre', 'commune_health_station'], hospitalWording = 'hospital.';
  // A payment's or top-up's request: its answer, or null when none came (the page says so and lets Pay be pressed
  // again); an answer cut after its status line, with no body to read, is none either.
  async function send(url, request) {
    var r = null;
    try { r = await json(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) }); } catch (e) { r = null; }
    if (!r || (r.response.ok && !r.body)) { $('lost').hidden = false; return null; }
    PaymentIntent.end(); $('lost').hidden = true;
    return r;
  }
  function $(id) { return document.getElementById(id); }
  function cell(row, className) { var td = row.insertCell(); if (className) { td.className = className; } return td; }
  // An SVG the terminal drew (a QR code), put in as a parsed image, not as page markup.
  function showSvg(element, text) {
    var svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    element.replaceChildren(svg.nodeName === 'svg' ? document.importNode(svg, true) : document.createTextNode(''));
  }
  // The key of a text as this institution words it: kiosk.x, or at a hospital kiosk.hospital.x when the catalogue has it.
  function worded(key) {
    var base = key.indexOf('kiosk.' + hospitalWording) === 0 ? 'kiosk.' + key.slice(('kiosk.' + hospitalWording).length) : key;
    var own = 'kiosk.' + hospitalWording + base.slice('kiosk.'.length);
    return hospital && base.indexOf('kiosk.') === 0 && I18n.has(own) ? own : base;
  }
  function tw(key) { return t.apply(null, [worded(key)].concat(Array.prototype.slice.call(arguments, 1))); }
  // The page's own texts (the title, the home screen's prompt…) in the institution's wording, kept by their data-msg.
  function word() {
    document.querySelectorAll('[data-msg]').forEach(function (e) { e.dataset.msg = worded(e.dataset.msg); });
    $('cccdhint').hidden = !hospital && prefix !== 'BN';
  }
  function loadInstitution() {
    return json('/api/v1/kiosk/institution').then(function (r) {
      if (!r.response.ok || !r.body) { return; }
      var now = healthTypes.indexOf(r.body.type) >= 0;
      if (now !== hospital) { hospital = now; if (ready) { word(); translate(); } }
    }, function () { /* keep the last wording */ });
  }
  // The payer's class (a pupil) or department (a patient), as nodes: the group itself marked as data, written by the
  // institution; a group that already says so ("Khoa Nội") is not told twice.
  function group(p) {
    var key = p.kind === 'patient' ? 'kiosk.department' : 'kiosk.class', own = I18n.tIn('vi', key, []);
    var named = p.group.toLowerCase().indexOf(own.toLowerCase() + ' ') === 0;
    var data = document.createElement('span'); data.dataset.data = ''; data.lang = 'vi'; data.textContent = p.group;
    var text = document.createDocumentFragment(); text.append(named && I18n.lang === 'vi' ? '' : t(key) + (named ? ': ' : ' '), data);
    return text;
  }
  function translate() {
    I18n.apply();
    // The switch names the other language in that language: "English", or "Tiếng Việt".
    $('lang').lang = I18n.lang === 'en' ? 'vi' : 'en';
    renderCode(); if (payer) { renderPayer(); }
    if (shown && document.body.dataset.screen === 'statement') { renderStatement(); }
    if (payer && document.body.dataset.screen === 'topup') { renderTopUp(); }
    if (payment && document.body.dataset.screen === 'done') { doneTitle(payment); }
  }
  function show(name) {
    document.querySelectorAll('.screen').forEach(function (s) { s.classList.toggle('on', s.id === 's-' + name); });
    document.body.dataset.screen = name; touch();
    Access.screen(); // focus the screen's main action; speak it when speech is on (js/access.js)
  }
  function touch() {
    clearTimeout(idleTimer);
    if (document.body.dataset.screen !== 'home' && document.body.dataset.screen !== 'qr') { idleTimer = setTimeout(home, idleSeconds * 1000); }
  }
  function home() {
    payer = null; card = null; payment = null; shown = null; code = ''; pin = ''; PaymentIntent.end(); $('lost').hidden = true; renderPin(); clearInterval(countdown); clearTimeout(relativeTimer); hideRelative();
    $('bills').replaceChildren(); $('pname').textContent = ''; $('pinfo').textContent = ''; $('total').textContent = '';
    $('qr').replaceChildren(); $('lookup').replaceChildren(); $('receipt').textContent = ''; $('dinfo').textContent = '';
    topUpAmount = ''; $('dtitle').dataset.msg = 'kiosk.paid'; $('dtitle').textContent = t('kiosk.paid');
    renderCode(); show('home'); loadAccess(); loadInstitution();
  }
  // back: where a refusal lets the payer go back to and change what was refused (the amount, the fees), beside Home.
  // withdrawing: the live VietQR offer the refusal named, which the screen's main action withdraws (qrPending).
  var messageBack = null, offer = null;
  function message(kind, title, text, back, withdrawing, textLang) {
    $('micon').textContent = kind === 'bad' ? '✕' : kind === 'warn' ? '!' : 'ℹ'; $('micon').className = 'big ' + kind;
    $('mtitle').textContent = title; $('mtitle').className = kind; $('mtext').textContent = text || '';
    if (textLang) { $('mtext').lang = textLang; } else { $('mtext').removeAttribute('lang'); }
    offer = withdrawing || null; $('mwithdraw').hidden = !offer; $('s-msg').dataset.enter = offer ? 'mwithdraw' : 'back2';
    messageBack = back || null; $('mback').hidden = !back; $('s-msg').dataset.back = back ? 'mback' : 'back2'; show('msg');
  }
  // A card payment refused because these fees' VietQR offer still waits here (qr_offer_pending: the parent chose QR,
  // then card): paying by card beside it could pay them twice. One tap withdraws that QR, through its cancel with the
  // view token the refusal carried, and pays by card again; a QR the money has reached is not withdrawn (cancel refused).
  function qrPending(body) {
    var r = refusal(body);
    message('warn', r.title, r.text, function () { renderPayer(); show('payer'); },
      body.paymentId && body.viewToken ? { id: body.paymentId, token: body.viewToken } : null, r.lang);
  }
  // A refusal's words: the problem's title is the Vietnamese, its detail the English. In English the English leads and
  // the Vietnamese follows (the parent may show it at the office); in Vietnamese, the title alone.
  function refusal(body) {
    var vi = body && body.title ? body.title : t('kiosk.refused');
    return I18n.lang === 'en' && body && body.detail ? { title: body.detail, text: vi, lang: 'vi' } : { title: vi, text: '', lang: '' };
  }
  async function withdraw() {
    var o = offer; if (!o || !payer) { return; }
    $('mwithdraw').disabled = true;
    var r = null;
    try { r = await json('/api/v1/payments/' + encodeURIComponent(o.id) + '/cancel?t=' + encodeURIComponent(o.token), { method: 'POST' }); } catch (e) { r = null; }
    $('mwithdraw').disabled = false;
    if (!r) { return; } // no answer: the button stays, to be tapped again (a second cancel of an ended offer changes nothing)
    if (!r.response.ok) { problem(r.response, r.body, function () { renderPayer(); show('payer'); }); return; }
    renderPayer(); pay('card_balance');
  }
  // Past a payer code's 8 digits the keypad is typing a citizen-ID number, which has no prefix.
  function renderCode() { $('code').textContent = code.length > 8 ? code : prefix + code; }
  function renderPin() { $('pincode').textContent = pin.replace(/./g, '●') || '\u00a0'; $('pinok').disabled = pin.length < 4; }
  // Above the terminal's PIN amount the server asks for the card's PIN; it is sent once and not kept.
  function askPin(text) { pin = ''; renderPin(); $('pinmsg').textContent = text || t('kiosk.pinHint'); $('pinmsg').className = text ? 'bad' : 'muted'; show('pin'); }
  function problem(response, body, back) {
    var r = refusal(body);
    message(response.status === 404 ? 'warn' : 'bad', r.title, r.text, back, null, r.lang);
  }
  async function json(url, options) {
    var response = await fetch(url, options), body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { response: response, body: body };
  }
  // byCitizenId: a lookup by citizen-ID card, whose refusals (not found, a scan no longer current) the terminal words.
  async function loadPayer(url, byCitizenId) {
    var r = await json(url);
    if (!r.response.ok) {
      if (byCitizenId) { problem(r.response, r.body); }
      else if (r.body && r.body.code === 'card_not_recognised') { message('bad', t('kiosk.unknown'), tw('kiosk.unknownText')); }
      else if (r.response.status === 404) { message('warn', tw('kiosk.notFound'), prefix + code); }
      else { problem(r.response, r.body); }
      return;
    }
    payer = r.body;
    if (payer.blocked && card) { message('bad', t('kiosk.blocked'), tw('kiosk.blockedText')); payer = null; return; }
    // A card with nothing to pay: its statement (the last movements here, the balance), from which it can be topped up.
    if (!payer.openBills.length && card) { statement(); return; }
    if (!payer.openBills.length) { message('ok', t('kiosk.nothing'), payer.maskedName + ' — ' + tw('kiosk.nothingText')); payer = null; return; }
    renderPayer(); show('payer');
    // Tap to fees on screen, for the benchmark: the frame after the one that drew them.
    if (card) { requestAnimationFrame(function () { requestAnimationFrame(function () { performance.mark('kp-painted'); performance.measure('kp-tap-to-paint', 'kp-tap', 'kp-painted'); }); }); }
  }
  function renderPayer() {
    $('stmt').hidden = !card;
    $('pname').textContent = payer.maskedName;
    $('pinfo').replaceChildren(payer.code);
    if (payer.group) { $('pinfo').append(' · ', group(payer)); }
    if (!$('bills').rows.length) {
      payer.openBills.forEach(function (b) {
        var row = $('bills').insertRow(), box = document.createElement('input');
        box.type = 'checkbox'; box.checked = true; box.setAttribute('aria-label', t('kiosk.access.pick', b.title)); cell(row).appendChild(box);
        var title = cell(row); title.textContent = b.title; title.dataset.data = ''; title.lang = 'vi'; cell(row, 'muted').dataset.due = b.dueDate || ''; cell(row, 'n').textContent = b.outstandingText;
        row.dataset.bill = b.id; row.dataset.amount = b.outstanding;
        box.addEventListener('change', renderTotal);
        // The whole row is the touch target, not just the box.
        row.addEventListener('click', function (e) { if (e.target !== box) { box.checked = !box.checked; renderTotal(); } });
      });
    }
    Array.prototype.forEach.call($('bills').rows, function (row) {
      var due = row.cells[2].dataset.due; row.cells[2].textContent = due ? t('kiosk.due') + ' ' + due.split('-').reverse().join('/') : '';
    });
    renderTotal();
  }
  function chosen() { return Array.prototype.filter.call($('bills').rows, function (r) { return r.querySelector('input').checked; }); }
  function renderTotal() {
    var sum = chosen().reduce(function (s, r) { return s + Number(r.dataset.amount); }, 0);
    $('total').textContent = vnd(sum); $('payqr').disabled = sum === 0;
    $('paycard').hidden = !card;
    $('paycard').textContent = t('kiosk.payCard') + ' (' + t('kiosk.balance') + ' ' + payer.availableBalanceText + ')';
    $('paycard').disabled = sum === 0 || sum > payer.availableBalance;
    $('topup').hidden = !(card && payer.topUp); touch();
  }
  // Top-up (nạp tiền vào thẻ): one-touch amounts within the room the limits leave, or a typed one; the terminal
  // refuses what passes a limit and says which.
  function renderTopUp() {
    var info = payer.topUp;
    $('tname').textContent = payer.maskedName + ' · ' + payer.code;
    $('tbalance').textContent = t('kiosk.topUp.balance', payer.availableBalanceText);
    $('tlimits').textContent = info.maxAmount >= info.minAmount
      ? t('kiosk.topUp.limits', vnd(info.maxBalance), vnd(info.maxPerDay), vnd(info.minAmount), info.maxAmountText)
      : t('kiosk.topUp.full');
    $('tcode').textContent = info.code;
    $('tpresets').replaceChildren();
    info.presets.forEach(function (amount) {
      var b = document.createElement('button'); b.type = 'button'; b.textContent = vnd(amount); b.dataset.amount = amount;
      b.disabled = amount > info.maxAmount; b.setAttribute('aria-pressed', String(topUpAmount === String(amount)));
      b.addEventListener('click', function () { topUpAmount = String(amount); renderTopUp(); touch(); });
      $('tpresets').appendChild(b);
    });
    $('tamount').textContent = topUpAmount ? vnd(Number(topUpAmount)) : '\u00a0';
    $('tgo').disabled = !topUpAmount || Number(topUpAmount) <= 0;
  }
  function openTopUp() { topUpAmount = ''; renderTopUp(); show('topup'); }
  async function topUp() {
    $('tgo').disabled = true;
    var request = { cardUid: card, amount: Number(topUpAmount) };
    request.clientRequestId = PaymentIntent.key('kiosk-topup-', request);
    var r = await send('/api/v1/top-ups', request);
    if (!r) { renderTopUp(); return; }
    if (!r.response.ok) { problem(r.response, r.body, function () { renderTopUp(); show('topup'); }); return; }
    showQr(r.body);
  }
  function doneTitle(p) {
    var topped = p.purpose === 'top_up';
    $('dtitle').dataset.msg = topped ? 'kiosk.topUp.done' : 'kiosk.paid'; $('dtitle').textContent = t($('dtitle').dataset.msg);
    if (topped) {
      var added = vnd(Math.min(p.received || 0, p.amount));
      $('dinfo').textContent = p.balanceAfterText ? t('kiosk.topUp.newBalance', added, p.balanceAfterText) : t('kiosk.topUp.waitingBalance', added);
    }
  }
  async function pay(method, withPin) {
    var bills = chosen().map(function (r) { return { billId: r.dataset.bill }; });
    var request = { method: method, bills: bills };
    if (method === 'card_balance') { request.cardUid = card; } else { request.payerCode = payer.code; }
    // The PIN is no part of the intent: it is asked for after an answer, which ended the intent anyway.
    request.clientRequestId = PaymentIntent.key('kiosk-', request);
    if (withPin) { request.pin = withPin; }
    $('payqr').disabled = true; $('paycard').disabled = true;
    var r = await send('/api/v1/payments', request);
    if (!r) {
      // No answer: back to the fees as they were chosen, Pay ready to press again (the same payment is asked for).
      if (payer) { renderPayer(); show('payer'); }
      return;
    }
    if (!r.response.ok) {
      var why = r.body && r.body.code;
      if (why === 'pin_required' || why === 'pin_wrong') { askPin(why === 'pin_wrong' ? (I18n.lang === 'en' && r.body.detail ? r.body.detail : r.body.title) : ''); return; }
      if (why === 'qr_offer_pending' && payer) { qrPending(r.body); return; }
      problem(r.response, r.body, payer ? function () { renderPayer(); show('payer'); } : null); return;
    }
    payment = r.body;
    if (method === 'vietqr') { showQr(payment); } else { done(payment); }
  }
  async function showQr(p) {
    payment = p;
    var svg = await fetch(p.qr.svgUrl);
    // The terminal refuses to draw a QR for an account the province did not register (Services/QrAccountGuard.cs).
    if (!svg.ok) { message('bad', t('kiosk.access.qrRefused'), t('kiosk.access.qrRefusedText')); return; }
    showSvg($('qr'), await svg.text()); $('qcheck').textContent = '';
    $('qamount').textContent = p.remaining ? vnd(p.remaining) : p.amountText; $('qcode').textContent = p.qr.transferCode;
    clearInterval(countdown); countdown = setInterval(tick, 1000); tick(); show('qr');
    if (lastScreen) { onScreen(lastScreen); } // the display may have answered while the QR loaded
    relative(p);
  }
  // A relative can pay from their own phone (issue 24): a small QR of the link to the province's page with the same
  // VietQR. Offered once the province holds the payment (the link opens nothing before); asked again every 2 s till then.
  function relative(p) {
    clearTimeout(relativeTimer); hideRelative();
    (function ask() {
      if (!payment || payment.id !== p.id || document.body.dataset.screen !== 'qr') { return; }
      json('/api/v1/payments/' + encodeURIComponent(p.id) + '/pay-link?t=' + p.viewToken).then(function (r) {
        if (!payment || payment.id !== p.id || document.body.dataset.screen !== 'qr') { return; }
        if (r.response.ok && r.body.reachable) { showSvg($('rqr'), r.body.svg); $('rlink').textContent = r.body.url; $('relative').hidden = false; return; }
        if (r.response.ok) { relativeTimer = setTimeout(ask, 2000); }
      }, function () { relativeTimer = setTimeout(ask, 2000); });
    })();
  }
  function hideRelative() { $('relative').hidden = true; $('rqr').replaceChildren(); $('rlink').textContent = ''; }
  function tick() {
    if (!payment || !payment.qr) { return; }
    var left = Math.max(0, Math.round((new Date(payment.qr.expiresAt) - Date.now()) / 1000)), m = Math.floor(left / 60), s = left % 60;
    $('countdown').textContent = t('kiosk.expires') + ' ' + m + ':' + (s < 10 ? '0' : '') + s;
  }
  async function done(p) {
    clearInterval(countdown); payment = p;
    $('dinfo').textContent = p.amountText + ' · ' + p.id; doneTitle(p); show('done');
    for (var i = 0; i < 20; i++) {
      var receipt = p.receipt ? p.receipt.state : 'pending';
      if (receipt === 'printed') { $('receipt').textContent = t('kiosk.printed'); $('receipt').className = 'ok'; return; }
      // Printer out of paper (or any problem the printer reports): offer the receipt on screen at once.
      if (receipt === 'failed' || ['ready', 'unknown', undefined].indexOf(document.body.dataset.printer) < 0) { break; }
      $('receipt').textContent = t('kiosk.printing');
      await new Promise(function (ok) { setTimeout(ok, 500); });
      if (!payment || payment.id !== p.id) { return; }
      var fresh = await json('/api/v1/payments/' + encodeURIComponent(p.id) + '?t=' + p.viewToken);
      if (fresh.response.ok) { p = fresh.body; }
    }
    var lookup = await json('/api/v1/payments/' + encodeURIComponent(p.id) + '/receipt-lookup?t=' + p.viewToken);
    $('receipt').textContent = t('kiosk.noPaper'); $('receipt').className = 'warn';
    if (lookup.response.ok) { showSvg($('lookup'), lookup.body.svg); $('lookup').dataset.url = lookup.body.url; }
  }
  function onScreen(screen) {
    if (!payment || !payment.qr || document.body.dataset.screen !== 'qr') { return; }
    if (screen.state === 'awaiting' && screen.paymentId === payment.id) {
      $('qbank').textContent = screen.bankName || ''; $('qaccname').textContent = screen.accountName || ''; $('qaccno').textContent = screen.accountNumber || '';
      $('qcheck').textContent = t('kiosk.access.checkName', screen.accountName || '', (screen.accountNumber || '').slice(-4));
    } else if (screen.state === 'awaiting' && screen.remaining) {
      // Underpaid: the display offers a new QR for the rest; follow it.
      $('qunder').textContent = t('kiosk.underpaid') + ': ' + screen.received + ' / ' + screen.remaining;
      // The display carries no token: the rest is found through the payment this kiosk took (and holds the token of).
      json('/api/v1/payments/' + encodeURIComponent(payment.id) + '?t=' + payment.viewToken).then(function (r) {
        var rest = r.response.ok && r.body.rest;
        if (!rest || rest.id !== screen.paymentId) { return; }
        json('/api/v1/payments/' + encodeURIComponent(rest.id) + '?t=' + rest.viewToken).then(function (f) { if (f.response.ok) { showQr(f.body); } });
      });
    } else if (screen.paymentId === payment.id && screen.state === 'confirmed') {
      json('/api/v1/payments/' + encodeURIComponent(payment.id) + '?t=' + payment.viewToken).then(function (r) { done(r.response.ok ? r.body : payment); });
    } else if (screen.paymentId === payment.id && screen.state === 'expired') {
      message('warn', t('kiosk.expired'), tw('kiosk.expiredText'));
    } else if (screen.paymentId === payment.id && screen.state === 'underpaid') {
      message('warn', t('kiosk.underpaid'), screen.message || '');
    }
  }
  function connect() {
    var source = new EventSource('/api/v1/kiosk/events');
    source.addEventListener('tap', function (e) {
      var tap = JSON.parse(e.data); performance.mark('kp-tap');
      if (document.body.dataset.screen === 'qr') { return; }
      // The kiosk is not told the card's UID: it looks the payer up and pays with the tap's reference.
      payer = null; $('bills').replaceChildren(); card = tap.tap || tap.uid;
      if (!tap.recognised) { message('bad', t('kiosk.unknown'), tw('kiosk.unknownText')); return; }
      if (tap.blocked) { message('bad', t('kiosk.blocked'), tw('kiosk.blockedText')); return; }
      loadPayer('/api/v1/payers/by-card/' + encodeURIComponent(card));
    });
    source.addEventListener('scan', function (e) {
      var scan = JSON.parse(e.data);
      if (document.body.dataset.screen === 'qr') { return; }
      payer = null; card = null; $('bills').replaceChildren();
      if (scan.problem) { message('bad', t(scan.problem), ''); return; }
      message('info', t('imports.cccd.scanning'), '');
      loadPayer('/api/v1/payers/by-citizen-id/' + encodeURIComponent(scan.reference), true);
    });
    source.addEventListener('reader', function () { if (document.body.dataset.screen === 'home') { message('warn', t('kiosk.oneCard'), ''); } });
    source.addEventListener('screen', function (e) { var s = JSON.parse(e.data); lastScreen = s; if (s.institution) { $('inst').textContent = s.institution; } onScreen(s); });
    source.addEventListener('network', function (e) { $('net').classList.toggle('on', e.data === 'false'); });
    source.addEventListener('printer', function (e) { var p = JSON.parse(e.data); document.body.dataset.printer = p.state; });
    source.addEventListener('headphones', Access.headphones); // plugged in: speech on; pulled out: off
  }
  // A keypad of large keys typing into a value of at most max digits (the payer code or a citizen-ID number, the card PIN).
  function keypad(id, value, set, max) {
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0', 'C'].forEach(function (k) {
      var b = document.createElement('button'); b.type = 'button'; b.textContent = k; b.dataset.key = k;
      if (k === '⌫' || k === 'C') { b.dataset.msg = k === '⌫' ? 'kiosk.access.delete' : 'kiosk.access.clear'; b.dataset.msgAttr = 'aria-label'; }
      b.addEventListener('click', function () { var v = value(); v = k === '⌫' ? v.slice(0, -1) : k === 'C' ? '' : v.length < max ? v + k : v; set(v); touch(); });
      $(id).appendChild(b);
    });
  }
  keypad('keypad', function () { return code; }, function (v) { code = v; renderCode(); }, 12);
  keypad('pinpad', function () { return pin; }, function (v) { pin = v; renderPin(); }, 8);
  keypad('tpad', function () { return topUpAmount; }, function (v) { topUpAmount = v.replace(/^0+/, ''); renderTopUp(); }, 9);
  $('topup').addEventListener('click', openTopUp);
  $('tgo').addEventListener('click', topUp);
  $('tback').addEventListener('click', function () { if (payer && payer.openBills.length) { renderPayer(); show('payer'); } else { home(); } });
  $('pinok').addEventListener('click', function () { if (pin.length >= 4) { var p = pin; pin = ''; renderPin(); pay('card_balance', p); } });
  $('pinback').addEventListener('click', function () { pin = ''; renderPin(); if (payer) { renderPayer(); show('payer'); } else { home(); } });
  $('find').addEventListener('click', function () {
    if (!code) { return; }
    card = null; $('bills').replaceChildren();
    if (code.length === 12) { loadPayer('/api/v1/payers/by-citizen-id/' + code, true); } else { loadPayer('/api/v1/payers/' + encodeURIComponent(prefix + code)); }
  });
  // Above the province's amount the bank app asks for the payer's face (decision 2345): say so first, and offer the bills one by one.
  function large() {
    var sum = chosen().reduce(function (s, r) { return s + Number(r.dataset.amount); }, 0);
    if (!(sum > largeAbove)) { pay('vietqr'); return; }
    document.body.dataset.largeAmount = sum; document.body.dataset.largeAbove = largeAbove;
    $('ltext').textContent = t('kiosk.access.largeText', vnd(sum), vnd(largeAbove));
    $('lsplit').replaceChildren();
    chosen().forEach(function (row) {
      var b = document.createElement('button'); b.type = 'button'; b.className = 'secondary'; b.dataset.bill = row.dataset.bill;
      b.textContent = t('kiosk.access.largeOne', row.cells[1].textContent, vnd(Number(row.dataset.amount)));
      b.addEventListener('click', function () {
        Array.prototype.forEach.call($('bills').rows, function (r) { r.querySelector('input').checked = r === row; });
        renderTotal(); pay('vietqr');
      });
      $('lsplit').appendChild(b);
    });
    show('large');
  }
  // The province's amount comes with its signed pull; asked again at every return home, so a change reaches a kiosk left open.
  var largeAbove = 10000000;
  function loadAccess() { json('/api/v1/kiosk/access').then(function (r) { if (r.response.ok && r.body.largeTransferAbove) { largeAbove = r.body.largeTransferAbove; } }, function () { /* keep the last amount */ }); }
  loadAccess();
  $('payqr').addEventListener('click', large);
  $('lgo').addEventListener('click', function () { pay('vietqr'); });
  $('lback').addEventListener('click', function () { renderPayer(); show('payer'); });
  $('paycard').addEventListener('click', function () { pay('card_balance'); });
  // The card's statement: by the tap's reference, as the payment is; the terminal knows its own movements.
  async function statement() {
    var r = await json('/api/v1/cards/' + encodeURIComponent(card) + '/statement');
    if (!r.response.ok) { problem(r.response, r.body); return; }
    var s = shown = r.body;
    $('sname').textContent = s.maskedName; $('sinfo').textContent = s.accountCode + ' · ' + s.maskedCard;
    renderStatement(); delete $('smsg').dataset.msg; $('smsg').textContent = '';
    $('sbalance').textContent = s.balanceText; $('scode').textContent = s.standingCode;
    // The month's statement on a phone: the province's page, by a link signed for this account and month.
    $('slink').hidden = !s.lookupSvg;
    if (s.lookupSvg) { showSvg($('slookup'), s.lookupSvg); $('slookup').dataset.url = s.lookupUrl; } else { $('slookup').replaceChildren(); delete $('slookup').dataset.url; }
    $('stopup').hidden = !(payer && payer.topUp);
    show('statement');
  }
  // The movements in the page's language: each by its kind, as the printed statement names it (the server's label
  // is both languages at once); the time as people of that language write it.
  function renderStatement() {
    $('moves').replaceChildren();
    shown.movements.forEach(function (m) {
      var row = $('moves').insertRow(), kind = 'receipt.statement.kind.' + m.kind;
      cell(row, 'muted').textContent = new Date(m.at).toLocaleString(I18n.lang === 'en' ? 'en-GB' : 'vi-VN');
      cell(row).textContent = I18n.has(kind) ? t(kind) : t(m.amount > 0 ? 'receipt.statement.kind.credit' : 'receipt.statement.kind.debit');
      cell(row, 'n').textContent = m.amountText;
    });
  }
  $('stmt').addEventListener('click', statement);
  $('sprint').addEventListener('click', async function () {
    var r = await fetch('/api/v1/cards/' + encodeURIComponent(card) + '/statement/print', { method: 'POST' });
    // Printed, or held until the printer can: a catalogue text, kept by its key so a language switch follows it.
    var key = r.status === 200 ? 'kiosk.statementPrinted' : r.status === 202 ? 'kiosk.statementHeld' : null;
    if (key) { $('smsg').dataset.msg = key; $('smsg').textContent = t(key); return; }
    var body = await r.json().catch(function () { return {}; });
    delete $('smsg').dataset.msg;
    $('smsg').textContent = (I18n.lang === 'en' && body.detail) || body.title || ('HTTP ' + r.status);
  });
  $('sback').addEventListener('click', home);
  $('stopup').addEventListener('click', openTopUp);
  $('back1').addEventListener('click', home); $('back2').addEventListener('click', home);
  $('mwithdraw').addEventListener('click', withdraw);
  $('mback').addEventListener('click', function () { var back = messageBack; messageBack = null; if (back) { back(); } else { home(); } }); $('again').addEventListener('click', home);
  $('qcancel').addEventListener('click', async function () { if (payment) { await fetch('/api/v1/payments/' + encodeURIComponent(payment.id) + '/cancel?t=' + payment.viewToken, { method: 'POST' }); } message('warn', t('kiosk.cancelled'), ''); });
  $('lang').addEventListener('click', function () { I18n.lang = I18n.lang === 'vi' ? 'en' : 'vi'; translate(); touch(); });
  document.addEventListener('pointerdown', touch);
  $('cccdhint').hidden = prefix !== 'BN';
  Promise.all([I18n.load(), loadInstitution()]).then(function () { ready = true; word(); translate(); connect(); home(); });
})();
