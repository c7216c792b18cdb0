// The cashier's counter (/counter). Every action is checked again by the server; the page only asks.
(function () {
  'use strict';
  var t = I18n.t, both = I18n.both, vnd = I18n.money;
  var me = null, payer = null, card = null, pending = null, pinFor = null;
  // The VietQR offer this counter made last (a payment's or a top-up's) and its payer, followed until its outcome.
  var offered = null;
  // A payment's or top-up's request: its answer (the intent over), or null when none came (nor a body after the status line).
  async function send(url, body) {
    var r = null;
    try { r = await api('POST', url, body); } catch (e) { r = null; }
    if (!r || (r.ok && !r.data)) { return null; }
    PaymentIntent.end();
    return r;
  }
  function $(id) { return document.getElementById(id); }
  function show(name) {
    document.querySelectorAll('.screen').forEach(function (s) { s.classList.toggle('on', s.id === 's-' + name); }); document.body.dataset.screen = name;
    ['xreport', 'close', 'signout'].forEach(function (id) { $(id).hidden = name !== 'main'; });
  }
  async function api(method, url, body) {
    var response = await fetch(url, { method: method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' });
    lastRequest = Date.now();
    var data = null; try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401 && data && data.code === 'not_signed_in' && me) { me = null; closeDialogs(); show('login'); say('loginmsg', both('counter.signedOut'), 'warn'); }
    return { ok: response.ok, status: response.status, data: data };
  }
  function say(id, text, kind) { $(id).textContent = text || ''; $(id).className = 'msg ' + (kind || ''); }
  function problemText(r) { return r.data ? (r.data.title || '') + (r.data.detail ? ' — ' + r.data.detail : '') : 'HTTP ' + r.status; }
  // A table row of header cells, each text (or [text, class]).
  function headings(table, cells) {
    var row = table.insertRow();
    cells.forEach(function (c) { var th = document.createElement('th'); if (Array.isArray(c)) { th.textContent = c[0]; th.className = c[1]; } else { th.textContent = c; } row.appendChild(th); });
  }
  // What people and institutions wrote (a name, a class, a bill's title), marked as data: the page's words are around it.
  function data(text) { var span = document.createElement('span'); span.dataset.data = ''; span.textContent = text; return span; }
  function cell(row, className) { var td = row.insertCell(); if (className) { td.className = className; } return td; }
  // An amount typed at the counter, in whole đồng: written as the counter shows amounts ("50.000", "50.000 ₫"), the
  // dots group thousands and are never decimals (Number("50.000") would be 50 đồng), so every non-digit is dropped.
  function wholeDong(text) { var digits = String(text).replace(/[^0-9]/g, ''); return digits ? Number(digits) : 0; }
  function grouped(amount) { return vnd(amount).replace(/\s*₫$/, ''); }
  async function start() {
    var r = await api('GET', '/api/v1/sessions/current');
    if (r.ok && r.data.role !== 'technician') { me = r.data; lastInput = Date.now(); $('who').textContent = me.name + ' (' + me.id + ')'; show('main'); recent(); $('code').focus(); } else { show('login'); $('staff').focus(); }
  }
  $('loginform').addEventListener('submit', async function (e) {
    e.preventDefault();
    var r = await api('POST', '/api/v1/sessions', { staffId: $('staff').value.trim(), pin: $('pin').value });
    $('pin').value = '';
    if (!r.ok) { say('loginmsg', problemText(r), 'bad'); return; }
    if (r.data.role === 'technician') { await api('DELETE', '/api/v1/sessions/current'); say('loginmsg', both('counter.techniciansUseTech'), 'bad'); return; }
    say('loginmsg', ''); start();
  });
  $('signout').addEventListener('click', async function () { await api('DELETE', '/api/v1/sessions/current'); me = null; clearPayer(); show('login'); });

  // Idle: the server ends a session after idleSeconds without a request; the page signs out a little before, after a
  // minute's visible warning, and keeps the session alive while the cashier works without calling the server.
  var lastInput = Date.now(), lastRequest = Date.now();
  function idleLimit() { return (me && me.idleSeconds ? me.idleSeconds : 600) * 1000; }
  function closeDialogs() { ['approve', 'ext', 'cpin', 'topupdlg', 'closedlg'].forEach(function (id) { if ($(id).open) { $(id).close(); } }); $('cpincode').value = ''; pinFor = null; }
  function touched() {
    lastInput = Date.now(); $('idlewarn').hidden = true;
    if (me && Date.now() - lastRequest > idleLimit() / 2) { api('GET', '/api/v1/sessions/current'); }
  }
  ['pointerdown', 'keydown'].forEach(function (type) { document.addEventListener(type, touched, true); });
  setInterval(async function () {
    if (!me) { $('idlewarn').hidden = true; return; }
    var left = lastInput + idleLimit() - 5000 - Date.now();
    if (left <= 0) {
      me = null; $('idlewarn').hidden = true; closeDialogs(); clearPayer();
      await api('DELETE', '/api/v1/sessions/current');
      show('login'); say('loginmsg', both('counter.idleSignedOut'), 'warn');
    } else if (left <= 60000) {
      $('idlewarn').textContent = both('counter.idleWarning', Math.ceil(left / 1000)); $('idlewarn').hidden = false;
    }
  }, 1000);
  // The name search's choices go with the payer: a new search, a card, a code or a scan starts from an empty list.
  function clearMatches() { $('matches').hidden = true; $('matches').replaceChildren(); }
  function clearPayer() { payer = null; card = null; PaymentIntent.end(); $('carduid').value = ''; say('cardmsg', ''); $('payer').hidden = true; $('bills').replaceChildren(); clearMatches(); say('findmsg', ''); say('paymsg', ''); }
  async function find(url) {
    say('paymsg', ''); clearMatches();
    var r = await api('GET', url);
    if (!r.ok) { clearPayer(); say('findmsg', problemText(r), 'bad'); return; }
    payer = r.data; say('findmsg', '');
    $('pname').textContent = payer.name;
    $('pinfo').replaceChildren(payer.code, payer.group ? ' · ' : '', payer.group ? data(payer.group) : '', ' · ' + both('counter.balance') + ' ' + payer.availableBalanceText + (payer.blocked ? ' · ' + both('counter.blocked') : ''));
    $('bills').replaceChildren();
    headings($('bills'), ['', both('counter.bill'), [both('counter.due'), 'n'], [both('counter.pay'), 'n']]);
    payer.openBills.forEach(function (b) {
      var row = $('bills').insertRow(); row.dataset.bill = b.id; row.dataset.amount = b.outstanding;
      var box = document.createElement('input'); box.type = 'checkbox'; box.checked = true; box.className = 'pick'; cell(row).appendChild(box);
      var title = cell(row); title.textContent = b.title; title.dataset.data = ''; cell(row, 'n').textContent = b.outstandingText;
      // A part payment (or a deposit towards the bill): any amount up to what is owed.
      var part = document.createElement('input'); part.className = 'part'; part.inputMode = 'numeric'; part.value = b.outstanding; cell(row, 'n').appendChild(part);
      part.addEventListener('input', total);
      box.addEventListener('change', total);
      // The bill's lines: service, quantity, unit price, and at a hospital the insurance's and the patient's parts.
      var insured = b.lines.some(function (l) { return l.insuranceCovered > 0; });
      var detail = $('bills').insertRow(); detail.className = 'detail';
      var holder = detail.insertCell(); holder.colSpan = 4;
      var lines = document.createElement('table'); lines.className = 'lines';
      headings(lines, [both('counter.service'), [both('counter.quantity'), 'n'], [both('counter.unitPrice'), 'n']].concat(insured
        ? [[both('counter.insurancePays'), 'n'], [both('counter.patientPays'), 'n']] : [[both('counter.lineAmount'), 'n']]));
      b.lines.forEach(function (l) {
        var tr = lines.insertRow();
        [l.description, String(l.quantity), vnd(l.unitPrice)].concat(insured ? [vnd(l.insuranceCovered), vnd(l.payerPart)] : [vnd(l.amount)]).forEach(function (text, i) {
          var td = cell(tr, i > 0 ? 'n' : ''); td.textContent = text; if (i === 0) { td.dataset.data = ''; }
        });
      });
      holder.appendChild(lines);
    });
    if (!payer.openBills.length) { say('findmsg', both('counter.nothingOwed'), 'ok'); }
    // Closing an account is a supervisor's (the server refuses anyone else); a top-up, any counter staff.
    $('acctclose').hidden = !me || me.role !== 'supervisor'; $('topupstart').disabled = !!payer.blocked;
    $('payer').hidden = false; total();
  }
  function chosen() { return Array.prototype.filter.call($('bills').querySelectorAll('tr[data-bill]'), function (r) { return r.querySelector('input[type=checkbox]').checked; }); }
  function amountOf(r) { var v = wholeDong(r.querySelector('input.part').value); return v > 0 && v <= Number(r.dataset.amount) ? v : 0; }
  function total() {
    var bad = chosen().some(function (r) { return amountOf(r) === 0; });
    var sum = chosen().reduce(function (s, r) { return s + amountOf(r); }, 0);
    if (bad) { sum = 0; say('paymsg', both('counter.amountRange'), 'bad'); }
    // Corrected: the range's message goes (any other message, a payment's answer, stays).
    else if ($('paymsg').textContent === both('counter.amountRange')) { say('paymsg', ''); }
    $('total').textContent = vnd(sum); $('payqr').disabled = sum === 0; $('payext').disabled = sum === 0; $('paycard').disabled = sum === 0 || !card || sum > payer.availableBalance;
  }
  // The bank paid this counter's offer: the payer's bills as they are now. The terminal counts a confirmed payment in
  // its bills as it records the confirmation, before it says so (CatalogueStore.ReadBillsAsync), so one read has them;
  // not when the cashier has moved on to another payer.
  async function followPaid(mine, text, tone) {
    if (!payer || payer.code !== mine.payer) { return; }
    await find('/api/v1/payers/' + encodeURIComponent(mine.payer));
    say('paymsg', text, tone);
  }
  async function pay(method, extra) {
    if (!payer || (method === 'card_balance' && $('paycard').disabled) || (method !== 'card_balance' && $('payqr').disabled)) { return; }
    var body = { method: method, bills: chosen().map(function (r) { return { billId: r.dataset.bill, amount: amountOf(r) }; }) };
    if (method === 'card_balance') { body.cardUid = card; } else { body.payerCode = payer.code; }
    if (extra && !extra.pin) { body.approvalCode = extra.approvalCode; body.cardLast4 = extra.cardLast4; }
    // The card holder's PIN is no part of the intent: it is asked for after an answer, which ended the intent anyway.
    body.clientRequestId = PaymentIntent.key('counter-', body);
    if (extra && extra.pin) { body.pin = extra.pin; }
    $('paycard').disabled = true; $('payqr').disabled = true;
    var r = await send('/api/v1/payments', body);
    if (!r) { say('paymsg', both('counter.answerLost'), 'bad'); total(); return { ok: false, lost: true }; }
    if (!r.ok && method === 'card_balance' && r.data && (r.data.code === 'pin_required' || r.data.code === 'pin_wrong')) {
      // Above the PIN amount the card holder types their PIN, at the counter as at the kiosk.
      total(); askCardPin(r.data.code === 'pin_wrong' ? problemText(r) : ''); return r;
    }
    if (!r.ok) { say('paymsg', problemText(r), 'bad'); total(); if (!extra) { offerWithdraw('paymsg', r, function () { pay(method); }); } return r; }
    say('paymsg', method === 'vietqr' ? both('counter.qrOnDisplay', r.data.qr.transferCode) : both('counter.paid', r.data.amountText, r.data.id), 'ok');
    card = null; recent();
    // The bills stay owed while the QR waits: the buttons come back (a card payment beside the offer is refused with
    // its withdraw button, a second QR replaces the first), and its outcome refreshes the bills.
    if (method === 'vietqr') { offered = { id: r.data.id, payer: payer.code }; total(); }
    if (method !== 'vietqr') { var code = payer.code; await find('/api/v1/payers/' + encodeURIComponent(code)); say('paymsg', both('counter.paid', r.data.amountText, r.data.id), 'ok'); }
    return r;
  }
  // A payment refused because the bills' VietQR offer still waits on the customer display (qr_offer_pending): taken
  // another way beside it, the bills could be paid twice. One click after the refusal (shown in msg) withdraws that
  // offer through its cancel and sends the payment again (retry); money already sent to the QR keeps it (cancel refused).
  function offerWithdraw(msg, r, retry) {
    if (r.ok || !r.data || r.data.code !== 'qr_offer_pending' || !r.data.paymentId) { return; }
    var offer = r.data.paymentId, b = document.createElement('button');
    b.type = 'button'; b.className = 'small'; b.dataset.withdraw = offer; b.textContent = both('counter.withdrawQr');
    b.addEventListener('click', async function () {
      b.disabled = true;
      // Withdrawn here: its screen of the withdrawal is not news to the cashier, and must not cover the retry's answer.
      if (offered && offered.id === offer) { offered = null; }
      var x = await api('POST', '/api/v1/payments/' + encodeURIComponent(offer) + '/cancel');
      if (!x.ok) { say(msg, problemText(x), 'bad'); return; }
      say(msg, ''); recent(); retry();
    });
    $(msg).appendChild(document.createTextNode(' ')); $(msg).appendChild(b);
  }
  function askCardPin(problem) {
    pinFor = card; $('cpincode').value = ''; say('cpinmsg', problem, 'bad'); if (!$('cpin').open) { $('cpin').showModal(); } $('cpincode').focus();
  }
  $('cpincancel').addEventListener('click', function () { $('cpincode').value = ''; pinFor = null; $('cpin').close(); });
  $('cpinform').addEventListener('submit', async function (e) {
    e.preventDefault();
    var pin = $('cpincode').value; $('cpincode').value = '';
    if (!/^[0-9]{4,8}$/.test(pin) || !pinFor) { return; }
    card = pinFor;
    var r = await pay('card_balance', { pin: pin });
    if (r && r.ok) { $('cpin').close(); pinFor = null; }
    else if (r && r.lost) { say('cpinmsg', both('counter.answerLost'), 'bad'); }
    else if (r && r.data && r.data.code !== 'pin_wrong') {
      say('cpinmsg', problemText(r), 'bad');
      // Withdrawn, the card payment starts again and asks the PIN again: it is never kept.
      offerWithdraw('cpinmsg', r, function () { $('cpin').close(); pinFor = null; pay('card_balance'); });
    }
  });
  function external() { if (!payer || $('payqr').disabled) { return; } $('eappr').value = ''; $('elast4').value = ''; say('emsg', ''); $('ext').showModal(); $('eappr').focus(); }
  $('ecancel').addEventListener('click', function () { $('ext').close(); });
  $('extform').addEventListener('submit', async function (e) {
    e.preventDefault();
    var r = await pay('external_card', { approvalCode: $('eappr').value.trim(), cardLast4: $('elast4').value.trim() });
    if (r && !r.ok) {
      say('emsg', r.lost ? both('counter.answerLost') : problemText(r), 'bad');
      if (!r.lost) { offerWithdraw('emsg', r, function () { $('extform').requestSubmit(); }); }
      return;
    }
    $('ext').close();
  });
  async function recent() {
    var r = await api('GET', '/api/v1/payments?limit=15');
    if (!r.ok) { return; }
    var table = $('recent'); table.replaceChildren();
    headings(table, [both('counter.number'), [both('counter.paymentAmount'), 'n'], both('counter.paymentState'), '']);
    r.data.forEach(function (p) {
      var row = table.insertRow(); row.dataset.payment = p.id;
      cell(row, 'small').textContent = p.id.slice(-8) + ' ' + p.payerCode; cell(row, 'n').textContent = p.amountText;
      var state = cell(row, 'small state-' + p.state); state.textContent = p.state in STATE_KEYS ? both(STATE_KEYS[p.state]) : p.state;
      var actions = cell(row, 'row');
      function action(label, handler) { var b = document.createElement('button'); b.type = 'button'; b.textContent = label; b.className = 'small'; b.addEventListener('click', handler); actions.appendChild(b); }
      if (p.state === 'completed' && p.method === 'card_balance') { action(both('counter.void'), function () { approve('void', p); }); }
      // What the server says is left to refund: nothing for a top-up (its money is on the balance), nor once given back.
      if ((p.state === 'completed' || p.state === 'underpaid') && p.refundable > 0) { action(both('counter.refund'), function () { approve('refund', p); }); }
      if (p.state !== 'pending' && p.state !== 'expired') { action(both('counter.reprint'), async function () { var x = await api('POST', '/api/v1/payments/' + encodeURIComponent(p.id) + '/reprint'); say('paymsg', x.ok ? both('counter.reprinted') : problemText(x), x.ok ? 'ok' : 'bad'); }); }
    });
  }
  var STATE_KEYS = { completed: 'counter.state.completed', pending: 'counter.state.pending', underpaid: 'counter.state.underpaid', expired: 'counter.state.expired', voided: 'counter.state.voided', refunded: 'counter.state.refunded' };
  function approve(kind, p) {
    // One key per dialog: sending it again after an answer was lost gives the reversal already written, never a second.
    pending = { kind: kind, payment: p, key: 'counter-' + kind + '-' + Date.now() + '-' + Math.random().toString(36).slice(2) };
    $('atitle').textContent = both(kind === 'void' ? 'counter.voidTitle' : 'counter.refundTitle', p.id, p.amountText);
    $('arefund').hidden = kind !== 'refund'; $('aamount').value = grouped(p.refundable); $('areason').value = ''; $('asup').value = ''; $('apin').value = ''; say('amsg', '');
    $('approve').showModal(); $('areason').focus();
  }
  $('acancel').addEventListener('click', function () { $('approve').close(); });
  $('approveform').addEventListener('submit', async function (e) {
    e.preventDefault();
    var body = { clientRequestId: pending.key, reason: $('areason').value.trim(), supervisorId: $('asup').value.trim(), supervisorPin: $('apin').value };
    if (pending.kind === 'refund') { body.amount = wholeDong($('aamount').value); body.destination = $('adest').value; body.bankReference = $('aref').value.trim() || null; }
    var r = await api('POST', '/api/v1/payments/' + encodeURIComponent(pending.payment.id) + '/' + pending.kind, body);
    $('apin').value = '';
    if (!r.ok) { say('amsg', problemText(r), 'bad'); return; }
    $('approve').close(); say('paymsg', both(pending.kind === 'void' ? 'counter.voided' : 'counter.refunded', r.data.amountText, r.data.paymentId) + (r.data.warning ? ' — ' + r.data.warning : ''), r.data.warning ? 'warn' : 'ok'); recent();
  });
  $('xreport').addEventListener('click', async function () { var r = await api('POST', '/api/v1/reports/x'); say('paymsg', r.ok ? both('counter.xPrinted') : problemText(r), r.ok ? 'ok' : 'bad'); });
  $('close').addEventListener('click', async function () {
    if (!confirm(both('counter.confirmClose'))) { return; }
    var r = await api('POST', '/api/v1/shifts/current/close');
    say('paymsg', r.ok ? both('counter.shiftClosed', r.data.number, vnd(r.data.net)) : problemText(r), r.ok ? 'ok' : 'bad'); recent();
  });
  $('find').addEventListener('click', async function () {
    var c = $('code').value.trim(); if (!c) { return; }
    card = null;
    if (/\s/.test(c) || !/\d/.test(c)) {
      // Words, not a code: search by name and let the cashier choose.
      var r = await api('GET', '/api/v1/payers?name=' + encodeURIComponent(c));
      clearPayer();
      if (!r.ok) { say('findmsg', problemText(r), 'bad'); return; }
      if (!r.data.length) { say('findmsg', both('counter.nobody'), 'warn'); return; }
      var list = $('matches'); list.replaceChildren(); list.hidden = false;
      r.data.forEach(function (m) {
        var b = document.createElement('button'); b.type = 'button'; b.className = 'small'; b.dataset.code = m.code; b.dataset.data = '';
        b.textContent = m.name + ' · ' + m.code + (m.group ? ' · ' + m.group : ''); b.addEventListener('click', function () { find('/api/v1/payers/' + encodeURIComponent(m.code)); }); list.appendChild(b);
      });
      return;
    }
    // Twelve digits are a citizen-ID (CCCD) number, which no payer code is: the patient by their card.
    if (/^[0-9]{12}$/.test(c)) { say('findmsg', both('imports.cccd.scanning')); find('/api/v1/payers/by-citizen-id/' + c); return; }
    find('/api/v1/payers/' + encodeURIComponent(c));
  });
  $('code').addEventListener('keydown', function (e) { if (e.key === 'Enter') { $('find').click(); } });
  $('paycard').addEventListener('click', function () { pay('card_balance'); });
  // Cards: the server takes the card just tapped on this terminal as the new card; each change is journalled there.
  async function cardChange(url, body) {
    var r = await api('POST', url, body);
    say('cardmsg', r.ok ? r.data.message : problemText(r), r.ok ? 'ok' : 'bad');
    if (r.ok && payer) { find('/api/v1/payers/' + encodeURIComponent(payer.code)); }
  }
  $('cardissue').addEventListener('click', function () { if (payer) { cardChange('/api/v1/cards', { accountCode: payer.code }); } });
  $('cardlost').addEventListener('click', function () { var uid = $('carduid').value.trim(); if (uid) { cardChange('/api/v1/cards/' + encodeURIComponent(uid) + '/lost'); } });
  $('cardreplace').addEventListener('click', function () { var uid = $('carduid').value.trim(); if (uid) { cardChange('/api/v1/cards/' + encodeURIComponent(uid) + '/replace', {}); } });
  // Top-up at the counter: the same VietQR top-up as at the kiosk, its QR on the customer display.
  $('topupstart').addEventListener('click', function () {
    if (!payer) { return; }
    $('tutitle').textContent = both('counter.topUpTitle', payer.name);
    $('turoom').textContent = payer.topUp ? both('counter.topUpRoom', payer.topUp.maxAmountText) : '';
    $('tuamount').value = ''; say('tumsg', ''); $('topupdlg').showModal(); $('tuamount').focus();
  });
  $('tucancel').addEventListener('click', function () { $('topupdlg').close(); });
  $('topupform').addEventListener('submit', async function (e) {
    e.preventDefault();
    var amount = wholeDong($('tuamount').value);
    var body = { payerCode: payer.code, amount: amount };
    body.clientRequestId = PaymentIntent.key('counter-topup-', body);
    var r = await send('/api/v1/top-ups', body);
    if (!r) { say('tumsg', both('counter.answerLost'), 'bad'); return; }
    if (!r.ok) { say('tumsg', problemText(r), 'bad'); return; }
    $('topupdlg').close(); offered = { id: r.data.id, payer: payer.code }; say('paymsg', both('counter.topUpOnDisplay', r.data.qr.transferCode), 'ok'); recent();
  });
  // Closing an account: the remainder this terminal knows is what the supervisor refunds; the province closes only
  // when it holds exactly that, and only online.
  $('acctclose').addEventListener('click', function () {
    if (!payer) { return; }
    $('cltitle').textContent = both('counter.accountCloseTitle', payer.code, payer.name);
    $('clremainder').textContent = payer.availableBalanceText; $('clref').value = ''; $('clreason').value = ''; say('clmsg', '');
    $('closedlg').showModal(); $('clref').focus();
  });
  $('clcancel').addEventListener('click', function () { $('closedlg').close(); });
  $('closeform').addEventListener('submit', async function (e) {
    e.preventDefault();
    var code = payer.code;
    var r = await api('POST', '/api/v1/accounts/' + encodeURIComponent(code) + '/close', { amount: payer.availableBalance, bankReference: $('clref').value.trim(), reason: $('clreason').value.trim() || null });
    if (!r.ok) { say('clmsg', problemText(r), 'bad'); return; }
    // The closing slip is queued durably: when the printer cannot print it now, say why (it prints when it can).
    var slip = r.data.slip && r.data.slip.state !== 'printed' && r.data.slip.problem ? ' ' + r.data.slip.problem : '';
    $('closedlg').close(); await find('/api/v1/payers/' + encodeURIComponent(code)); say('cardmsg', r.data.message + slip, 'ok');
  });
  $('payqr').addEventListener('click', function () { pay('vietqr'); });
  $('payext').addEventListener('click', external);
  document.addEventListener('keydown', function (e) {
    if (document.body.dataset.screen !== 'main' || $('approve').open || $('ext').open || $('cpin').open || $('topupdlg').open || $('closedlg').open) { return; }
    if (e.key === 'F2') { e.preventDefault(); $('code').focus(); $('code').select(); }
    else if (e.key === 'F4') { e.preventDefault(); pay('card_balance'); }
    else if (e.key === 'F5') { e.preventDefault(); pay('vietqr'); }
    else if (e.key === 'F6') { e.preventDefault(); external(); }
    else if (e.key === 'F8') { e.preventDefault(); $('xreport').click(); }
    else if (e.key === 'Escape') { clearPayer(); $('code').value = ''; }
  });
  I18n.load().then(function () {
    I18n.apply();
    var source = new EventSource('/api/v1/kiosk/events');
    source.addEventListener('tap', function (e) {
      if (!me) { return; }
      var tap = JSON.parse(e.data);
      // A new card tapped while a payer is shown: it can be issued to them, or replace their card (#cards).
      if (!tap.recognised && payer) { say('cardmsg', both('counter.cardNewTapped'), 'warn'); return; }
      if (!tap.recognised) { clearPayer(); say('findmsg', both('counter.cardUnknown'), 'bad'); return; }
      var uid = tap.tap || tap.uid; card = uid; find('/api/v1/payers/by-card/' + encodeURIComponent(uid)).then(function () { card = uid; $('carduid').value = tap.uid || ''; total(); });
    });
    // A citizen-ID card's QR at the 2D scanner: the patient by the scan's reference, or the refusal in plain words.
    source.addEventListener('scan', function (e) {
      if (!me) { return; }
      var scan = JSON.parse(e.data); card = null; $('code').value = '';
      if (scan.problem) { clearPayer(); say('findmsg', both(scan.problem), 'bad'); return; }
      say('findmsg', both('imports.cccd.scanning')); find('/api/v1/payers/by-citizen-id/' + encodeURIComponent(scan.reference));
    });
    source.addEventListener('screen', function (e) {
      var s = JSON.parse(e.data);
      if (s.institution) { $('inst').replaceChildren(data(s.institution), ' — ' + both('counter.heading')); }
      if (!me || !(s.state === 'confirmed' || s.state === 'underpaid' || s.state === 'expired' || s.state === 'cancelled')) { return; }
      var text = s.message + (s.messageEnglish ? ' / ' + s.messageEnglish : ''), tone = s.state === 'confirmed' ? 'ok' : 'warn';
      var mine = offered && offered.id === s.paymentId ? offered : null;
      if (mine) { offered = null; }
      // A withdrawal is news only for this counter's offer withdrawn elsewhere (at the customer display).
      if (s.state === 'cancelled' && !mine) { return; }
      recent();
      // Money arrived for this counter's offer to the payer still shown: their bills and balance as they are now
      // (paid bills gone, a part-paid one with what it still owes); withdrawn or expired, nothing was paid.
      if (mine && payer && payer.code === mine.payer && (s.state === 'confirmed' || s.state === 'underpaid')) {
        followPaid(mine, text, tone);
        return;
      }
      say('paymsg', text, tone);
    });
    start();
  });
})();
