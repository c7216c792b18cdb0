// The technician's page (/tech). The server refuses a technician every payment and payer anyway.
(function () {
  'use strict';
  var both = I18n.both;
  function $(id) { return document.getElementById(id); }
  async function api(method, url, body) {
    var r = await fetch(url, { method: method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    var data = null; try { data = await r.json(); } catch (e) { data = null; }
    return { ok: r.ok, status: r.status, data: data };
  }
  function rows(table, pairs) {
    table.replaceChildren();
    pairs.forEach(function (p) { var tr = table.insertRow(); tr.insertCell().textContent = p[0]; var td = tr.insertCell(); td.textContent = p[1] == null ? '—' : String(p[1]); if (p[2]) { td.className = p[2]; } });
  }
  function title(r) { return (r.data && r.data.title) || both('tech.failed'); }
  async function refresh() {
    var r = await api('GET', '/api/v1/tech/state');
    if (!r.ok) { show(false); return; }
    var s = r.data; show(true);
    rows($('terminal'), [[both('tech.row.id'), s.terminalId], [both('tech.row.version'), s.version], [both('tech.row.enrolled'), s.enrolled ? both('tech.yes') : both('tech.notYet'), s.enrolled ? 'ok' : 'bad'],
      [both('tech.row.server'), s.provinceServer], [both('tech.row.online'), s.provinceOnline ? both('tech.yes') : both('tech.no'), s.provinceOnline ? 'ok' : 'bad'],
      [both('tech.row.queued'), s.sync.queued], [both('tech.row.lastSync'), s.lastSyncText], [both('tech.row.lastError'), s.sync.lastError, s.sync.lastError ? 'bad' : ''],
      [both('tech.row.clockSkew'), s.clockSkewSeconds], [both('tech.row.diskFree'), Math.round(s.diskFreeBytes / 1048576) + ' MB'], [both('tech.row.schema'), s.schemaVersion]]);
    var h = s.cardReaderHealth;
    rows($('devices'), [[both('tech.row.reader'), s.cardReader],
      [both('tech.row.readerState'), h ? h.message + ' / ' + h.messageEnglish + (h.problem ? ': ' + h.problem : '') : null, h ? (h.state === 'ready' ? 'ok' : 'bad') : ''],
      [both('tech.row.readerResets'), h ? h.recoveries + (s.lastReaderRecoveryText ? ' (' + s.lastReaderRecoveryText + ': ' + h.lastRecoveryFound + ')' : '') : null],
      [both('tech.row.printer'), s.printer], [both('tech.row.printerState'), s.printerState.description, s.printerState.state === 'ready' ? 'ok' : 'bad'],
      [both('tech.row.light'), s.indicators.light], [both('tech.row.beeps'), s.indicators.beeps]]);
    rows($('profile'), s.hardware.map(function (h) { return [h.name, h.value]; }));
    $('enrolpanel').hidden = s.enrolled; if (!$('eserver').value) { $('eserver').value = s.provinceServer; }
    $('log').textContent = s.log.join('\n');
  }
  function show(signedIn) { $('login').hidden = signedIn; $('tech').hidden = !signedIn; $('signout').hidden = !signedIn; }
  $('signin').addEventListener('click', async function () {
    var r = await api('POST', '/api/v1/sessions', { staffId: $('sid').value.trim(), pin: $('spin').value });
    $('spin').value = '';
    if (!r.ok) { $('lmsg').textContent = r.data && r.data.title ? r.data.title : both('tech.signInFailed'); return; }
    if (r.data.role !== 'technician') { await api('DELETE', '/api/v1/sessions/current'); $('lmsg').textContent = both('tech.techniciansOnly'); return; }
    $('lmsg').textContent = ''; refresh();
  });
  $('signout').addEventListener('click', async function () { await api('DELETE', '/api/v1/sessions/current'); show(false); });
  $('selftest').addEventListener('click', async function () {
    $('tmsg').textContent = $('tapwait').checked ? both('tech.tapCard') : both('tech.checking'); $('checks').replaceChildren();
    var r = await api('POST', '/api/v1/tech/selftest?tapSeconds=' + ($('tapwait').checked ? 15 : 0));
    if (!r.ok) { $('tmsg').textContent = title(r); return; }
    rows($('checks'), r.data.checks.map(function (c) { return [c.name, (c.ok ? '✓ ' : '✕ ') + c.detail, c.ok ? 'ok' : 'bad']; }));
    $('tmsg').textContent = r.data.ok ? both('tech.allPassed') : both('tech.attention'); $('tmsg').className = r.data.ok ? 'ok' : 'bad';
  });
  $('enrol').addEventListener('click', async function () {
    $('emsg').textContent = both('tech.enrolling'); $('emsg').className = '';
    var r = await api('POST', '/api/v1/tech/enrol', { server: $('eserver').value.trim(), code: $('ecode').value.trim() });
    $('emsg').textContent = r.ok ? both('tech.enrolled', r.data.terminalId, r.data.institutionName) : ((r.data && (r.data.title + (r.data.detail ? ' (' + r.data.detail + ')' : ''))) || both('tech.failed'));
    $('emsg').className = r.ok ? 'ok' : 'bad'; if (r.ok) { $('ecode').value = ''; refresh(); }
  });
  $('verify').addEventListener('click', async function () {
    var r = await api('GET', '/api/v1/journal/verify');
    $('tmsg').textContent = !r.ok ? title(r) : r.data.ok ? both('tech.journalIntact', r.data.entries) : both('tech.journalBroken', r.data.problems.length);
    $('tmsg').className = r.ok && r.data.ok ? 'ok' : 'bad';
  });
  $('backup').addEventListener('click', async function () {
    $('tmsg').textContent = both('tech.backingUp'); $('tmsg').className = '';
    var r = await api('POST', '/api/v1/tech/backup');
    $('tmsg').textContent = !r.ok ? title(r) : both('tech.backedUp', r.data.path, Math.round(r.data.bytes / 1024), both(r.data.journalOk ? 'tech.journalOk' : 'tech.journalBad'));
    $('tmsg').className = r.ok && r.data.journalOk ? 'ok' : 'bad';
  });
  // Cards: a technician only reports one lost (issuing and replacing tie a card to a balance: the counter's);
  // the answer names the holder masked.
  async function card(url, body) {
    var r = await api('POST', url, body);
    $('cmsg').textContent = r.ok ? r.data.message + ' (' + r.data.accountCode + ' · ' + r.data.maskedName + ')' : title(r) + (r.data && r.data.detail ? ' (' + r.data.detail + ')' : '');
    $('cmsg').className = r.ok ? 'ok' : 'bad';
  }
  $('clost').addEventListener('click', function () { card('/api/v1/cards/' + encodeURIComponent($('cuid').value.trim()) + '/lost'); });
  $('testpage').addEventListener('click', async function () { var r = await api('POST', '/api/v1/printer/test-page'); $('tmsg').textContent = r.ok ? both('tech.testPagePrinted') : title(r); });
  I18n.load().then(function () {
    I18n.apply();
    refresh(); setInterval(function () { if (!$('tech').hidden) { refresh(); } }, 3000);
  });
})();
