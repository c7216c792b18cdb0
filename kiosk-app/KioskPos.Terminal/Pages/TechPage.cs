namespace KioskPos.Terminal.Apis;

/// <summary>
/// The technician's page: sign in with a technician's id and PIN, then the devices, the sync queue, the hardware
/// profile and the last log lines, refreshed every few seconds; the self-test (optionally waiting for a card) and the
/// test page. Nothing on it reads a payment or a payer: the server refuses those to a technician anyway.
/// </summary>
internal static class TechPage
{
    public const string Html = """
        <!doctype html>
        <html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>KioskPos — Kỹ thuật</title>
        <style>
        :root{--ink:#102030;--muted:#4d5b69;--ok:#17692c;--bad:#a8201a;--bg:#f4f6f8;--card:#fff;--accent:#0b5cad}
        *{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font-family:"Noto Sans","DejaVu Sans",system-ui,sans-serif;font-size:18px}
        header{display:flex;justify-content:space-between;align-items:center;padding:10px 20px;background:var(--ink);color:#fff}
        main{padding:16px 20px;max-width:1240px;margin:0 auto}.panel{background:var(--card);border-radius:14px;padding:14px 18px;margin-bottom:14px}
        button,input{font:inherit;min-height:52px;border-radius:10px}button{border:0;padding:0 20px;cursor:pointer;background:var(--accent);color:#fff;font-weight:700}
        button.secondary{background:#dde3ea;color:var(--ink)}input{border:2px solid #c8d0d8;padding:0 12px;width:200px}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:14px}
        table{width:100%;border-collapse:collapse}td{overflow-wrap:anywhere;padding:4px 6px;border-bottom:1px solid #e3e8ee;vertical-align:top}td:first-child{color:var(--muted);white-space:nowrap}
        .ok{color:var(--ok)}.bad{color:var(--bad)}pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:13px;max-height:320px;overflow:auto;background:#0f1a26;color:#d9e2ea;padding:10px;border-radius:10px}
        .row{display:flex;gap:10px;flex-wrap:wrap;align-items:center}
        </style></head>
        <body>
        <header><b>KioskPos — Kỹ thuật viên / Technician</b><button class="secondary" id="signout" type="button" hidden>Đăng xuất / Sign out</button></header>
        <main>
        <section id="login" class="panel"><h2>Đăng nhập kỹ thuật viên / Technician sign-in</h2>
          <div class="row"><input id="sid" placeholder="Mã / id" autocomplete="off"><input id="spin" type="password" inputmode="numeric" placeholder="PIN" autocomplete="off">
          <button id="signin" type="button">Đăng nhập / Sign in</button></div><p id="lmsg" class="bad"></p></section>
        <section id="tech" hidden>
          <div class="grid">
            <div class="panel"><h2>Máy / Terminal</h2><table id="terminal"></table></div>
            <div class="panel"><h2>Thiết bị / Devices</h2><table id="devices"></table></div>
            <div class="panel"><h2>Cấu hình phần cứng / Hardware profile</h2><table id="profile"></table></div>
          </div>
          <div class="panel" id="enrolpanel" hidden><h2>Đăng ký với máy chủ tỉnh / Enrol with the province server</h2>
            <p>Nhập mã đăng ký một lần do sở cấp / type the one-time code the province issued.</p>
            <div class="row"><input id="eserver" placeholder="http://máy-chủ-tỉnh:5080" autocomplete="off">
              <input id="ecode" placeholder="ABCD-EFGH" autocomplete="off" autocapitalize="characters">
              <button id="enrol" type="button">Đăng ký / Enrol</button></div><p id="emsg"></p></div>
          <div class="panel"><h2>Tự kiểm tra / Self-test</h2>
            <div class="row"><button id="selftest" type="button">Chạy tự kiểm tra / Run</button>
              <label><input id="tapwait" type="checkbox" style="width:auto;min-height:auto"> chờ chạm thẻ 15 giây / wait 15 s for a card</label>
              <button class="secondary" id="testpage" type="button">In trang thử / Test page</button>
              <button class="secondary" id="verify" type="button">Kiểm tra nhật ký / Verify journal</button>
              <button class="secondary" id="backup" type="button">Sao lưu / Back up</button></div>
            <table id="checks"></table><p id="tmsg"></p></div>
          <div class="panel"><h2>Nhật ký / Log</h2><pre id="log"></pre></div>
        </section>
        </main>
        <script>
        (function(){
          function $(id){ return document.getElementById(id); }
          async function api(method, url, body){
            var r = await fetch(url, {method: method, headers: body ? {'Content-Type': 'application/json'} : {}, body: body ? JSON.stringify(body) : undefined});
            var data = null; try { data = await r.json(); } catch (e) { data = null; }
            return {ok: r.ok, status: r.status, data: data};
          }
          function rows(table, pairs){
            table.innerHTML = '';
            pairs.forEach(function(p){ var tr = table.insertRow(); tr.insertCell().textContent = p[0]; var td = tr.insertCell(); td.textContent = p[1] == null ? '—' : String(p[1]); if (p[2]) { td.className = p[2]; } });
          }
          async function refresh(){
            var r = await api('GET', '/api/v1/tech/state');
            if (!r.ok) { show(false); return; }
            var s = r.data; show(true);
            rows($('terminal'), [['Mã máy / id', s.terminalId], ['Phiên bản / version', s.version], ['Đăng ký / enrolled', s.enrolled ? 'có / yes' : 'chưa / no', s.enrolled ? 'ok' : 'bad'],
              ['Máy chủ tỉnh / server', s.provinceServer], ['Kết nối / online', s.provinceOnline ? 'có / yes' : 'không / no', s.provinceOnline ? 'ok' : 'bad'],
              ['Chờ gửi / queued', s.sync.queued], ['Lần cuối / last sync', s.sync.lastSuccessAt], ['Lỗi / last error', s.sync.lastError, s.sync.lastError ? 'bad' : ''],
              ['Lệch giờ / clock skew (s)', s.clockSkewSeconds], ['Ổ đĩa trống / disk free', Math.round(s.diskFreeBytes / 1048576) + ' MB'], ['Lược đồ / schema', s.schemaVersion]]);
            rows($('devices'), [['Đầu đọc / reader', s.cardReader], ['Máy in / printer', s.printer], ['Trạng thái / state', s.printerState.description, s.printerState.state === 'ready' ? 'ok' : 'bad'],
              ['Đèn / light', s.indicators.light], ['Còi / beeps', s.indicators.beeps]]);
            rows($('profile'), s.hardware.map(function(h){ return [h.name, h.value]; }));
            $('enrolpanel').hidden = s.enrolled; if (!$('eserver').value) { $('eserver').value = s.provinceServer; }
            $('log').textContent = s.log.join('\n');
          }
          function show(signedIn){ $('login').hidden = signedIn; $('tech').hidden = !signedIn; $('signout').hidden = !signedIn; }
          $('signin').addEventListener('click', async function(){
            var r = await api('POST', '/api/v1/sessions', {staffId: $('sid').value.trim(), pin: $('spin').value});
            $('spin').value = '';
            if (!r.ok) { $('lmsg').textContent = r.data && r.data.title ? r.data.title : 'Không đăng nhập được / sign-in failed'; return; }
            if (r.data.role !== 'technician') { await api('DELETE', '/api/v1/sessions/current'); $('lmsg').textContent = 'Chỉ dành cho kỹ thuật viên / technicians only'; return; }
            $('lmsg').textContent = ''; refresh();
          });
          $('signout').addEventListener('click', async function(){ await api('DELETE', '/api/v1/sessions/current'); show(false); });
          $('selftest').addEventListener('click', async function(){
            $('tmsg').textContent = $('tapwait').checked ? 'Chạm một thẻ vào đầu đọc… / tap a card…' : 'Đang kiểm tra… / checking…'; $('checks').innerHTML = '';
            var r = await api('POST', '/api/v1/tech/selftest?tapSeconds=' + ($('tapwait').checked ? 15 : 0));
            if (!r.ok) { $('tmsg').textContent = r.data && r.data.title ? r.data.title : 'Lỗi / failed'; return; }
            rows($('checks'), r.data.checks.map(function(c){ return [c.name, (c.ok ? '✓ ' : '✕ ') + c.detail, c.ok ? 'ok' : 'bad']; }));
            $('tmsg').textContent = r.data.ok ? 'Tất cả đạt / all passed' : 'Có mục cần xử lý / something needs attention'; $('tmsg').className = r.data.ok ? 'ok' : 'bad';
          });
          $('enrol').addEventListener('click', async function(){
            $('emsg').textContent = 'Đang đăng ký… / enrolling…'; $('emsg').className = '';
            var r = await api('POST', '/api/v1/tech/enrol', {server: $('eserver').value.trim(), code: $('ecode').value.trim()});
            $('emsg').textContent = r.ok ? ('Đã đăng ký / enrolled: ' + r.data.terminalId + ' — ' + r.data.institutionName) : ((r.data && (r.data.title + (r.data.detail ? ' (' + r.data.detail + ')' : ''))) || 'Lỗi / failed');
            $('emsg').className = r.ok ? 'ok' : 'bad'; if (r.ok) { $('ecode').value = ''; refresh(); }
          });
          $('verify').addEventListener('click', async function(){
            var r = await api('GET', '/api/v1/journal/verify');
            $('tmsg').textContent = !r.ok ? ((r.data && r.data.title) || 'Lỗi / failed') : r.data.ok ? ('Nhật ký nguyên vẹn / journal intact: ' + r.data.entries + ' mục / entries') : ('Nhật ký có lỗi / journal broken: ' + r.data.problems.length);
            $('tmsg').className = r.ok && r.data.ok ? 'ok' : 'bad';
          });
          $('backup').addEventListener('click', async function(){
            $('tmsg').textContent = 'Đang sao lưu… / backing up…'; $('tmsg').className = '';
            var r = await api('POST', '/api/v1/tech/backup');
            $('tmsg').textContent = !r.ok ? ((r.data && r.data.title) || 'Lỗi / failed') : ('Đã sao lưu / backed up: ' + r.data.path + ' (' + Math.round(r.data.bytes / 1024) + ' KB, ' + (r.data.journalOk ? 'nhật ký nguyên vẹn / journal intact' : 'NHẬT KÝ LỖI / journal broken') + ')');
            $('tmsg').className = r.ok && r.data.journalOk ? 'ok' : 'bad';
          });
          $('testpage').addEventListener('click', async function(){ var r = await api('POST', '/api/v1/printer/test-page'); $('tmsg').textContent = r.ok ? 'Đã in trang thử / test page printed' : (r.data && r.data.title) || 'Lỗi / failed'; });
          refresh(); setInterval(function(){ if (!$('tech').hidden) { refresh(); } }, 3000);
        })();
        </script></body></html>
        """;
}
