namespace KioskPos.Terminal.Apis;

/// <summary>
/// The cashier's counter: sign in with a PIN, find the payer (card tap or code), take the payment (card balance or
/// VietQR on the customer display), void or refund with a supervisor's PIN, reprint, the X report, close the shift
/// (Z report), sign out. Plain HTML, CSS and JavaScript, nothing from the network; every action is checked again
/// by the server. Keys: F2 find, F4 card balance, F5 VietQR, F6 bank-card terminal, F8 X report, Esc back.
/// </summary>
internal static class CounterPage
{
    public const string Html = """
        <!doctype html>
        <html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>KioskPos — Quầy thu</title>
        <style>
        :root{--ink:#102030;--muted:#4d5b69;--ok:#17692c;--bad:#a8201a;--warn:#8a4d00;--bg:#eef1f4;--card:#fff;--accent:#0b5cad}
        *{box-sizing:border-box}html,body{margin:0;background:var(--bg);color:var(--ink);font-family:"Noto Sans","DejaVu Sans",system-ui,sans-serif;font-size:18px}
        body{overflow-x:hidden}
        header{display:flex;gap:12px;align-items:center;padding:8px 16px;background:var(--ink);color:#fff}header b{flex:1;font-size:20px}
        header button{min-height:44px;background:transparent;color:#fff;border:2px solid #fff}
        button{font:inherit;min-height:52px;border-radius:10px;border:0;padding:0 16px;cursor:pointer;background:#dde3ea;color:var(--ink)}
        .primary{background:var(--accent);color:#fff;font-weight:700}.danger{background:var(--bad);color:#fff}
        button:disabled{opacity:.45}
        input,select{font:inherit;min-height:52px;border-radius:10px;border:2px solid #c3ccd6;padding:0 12px;width:100%}
        main{padding:12px 16px}.screen{display:none}.screen.on{display:block}
        .login{max-width:420px;margin:40px auto;background:var(--card);border-radius:14px;padding:24px;display:grid;gap:12px}
        .grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}.panel{background:var(--card);border-radius:12px;padding:14px;min-width:0}
        table{width:100%;border-collapse:collapse}table.lines td,table.lines th{padding:2px 6px;border:0;font-size:15px;color:#44505c}tr.detail>td{padding-top:0}td,th{padding:8px 6px;border-bottom:1px solid #e3e8ee;text-align:left;vertical-align:middle}td.n,th.n{text-align:right;white-space:nowrap}
        .row{display:flex;gap:8px;align-items:center;flex-wrap:wrap}.row>*{flex:1 1 auto}
        .total{font-size:26px;font-weight:800;text-align:right;margin:10px 0}
        .msg{min-height:1.4em;margin:6px 0}.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}.muted{color:var(--muted)}
        dialog{border:0;border-radius:14px;padding:20px;max-width:460px;width:92vw}dialog form{display:grid;gap:10px}
        .small{font-size:15px}.state-voided,.state-refunded{color:var(--bad)}
        @media (max-width:900px){.grid{grid-template-columns:1fr}}
        </style></head>
        <body data-screen="login">
        <header><b id="inst">Quầy thu / Counter</b><span id="who"></span><button id="xreport" type="button" hidden>X (F8)</button><button id="close" type="button" hidden>Đóng ca / Close shift</button><button id="signout" type="button" hidden>Đăng xuất</button></header>
        <main>
        <section id="s-login" class="screen on"><form class="login" id="loginform">
          <h2>Đăng nhập thu ngân <span class="muted small">/ cashier sign-in</span></h2>
          <label>Mã nhân viên / staff id<input id="staff" autocomplete="off" required></label>
          <label>Mã PIN<input id="pin" type="password" inputmode="numeric" autocomplete="off" required minlength="4" maxlength="8"></label>
          <button class="primary" type="submit">Đăng nhập / Sign in</button><div class="msg bad" id="loginmsg" role="alert"></div></form></section>
        <section id="s-main" class="screen"><div class="grid">
          <div class="panel">
            <div class="row"><input id="code" placeholder="Mã hoặc tên (F2) / code or name, or tap the card" autocomplete="off"><button id="find" type="button" style="flex:0 0 auto">Tìm</button></div>
            <div class="msg" id="findmsg" role="status"></div><div class="row" id="matches" hidden></div>
            <div id="payer" hidden><h2 id="pname"></h2><div class="muted" id="pinfo"></div>
              <table id="bills"></table><div class="total" id="total"></div>
              <div class="row"><button class="primary" id="paycard" type="button">Số dư thẻ (F4)</button><button class="primary" id="payqr" type="button">VietQR (F5)</button><button class="primary" id="payext" type="button">POS ngân hàng (F6)</button></div>
              <div class="msg" id="paymsg" role="status"></div></div>
          </div>
          <div class="panel"><h2>Giao dịch gần đây <span class="muted small">/ recent payments</span></h2><table id="recent"></table></div>
        </div></section>
        </main>
        <dialog id="approve"><form method="dialog" id="approveform">
          <h2 id="atitle"></h2><div id="arefund" hidden class="grid" style="grid-template-columns:1fr 1fr">
            <label>Số tiền / amount<input id="aamount" inputmode="numeric"></label>
            <label>Hoàn vào / to<select id="adest"><option value="card_balance">Số dư thẻ / card</option><option value="bank_transfer">Chuyển khoản / transfer</option></select></label>
            <label style="grid-column:1/3">Mã GD chuyển khoản / transfer reference<input id="aref" autocomplete="off"></label></div>
          <label>Lý do / reason<input id="areason" required autocomplete="off"></label>
          <label>Giám sát / supervisor id<input id="asup" required autocomplete="off"></label>
          <label>PIN giám sát / supervisor PIN<input id="apin" type="password" inputmode="numeric" required autocomplete="off"></label>
          <div class="msg bad" id="amsg" role="alert"></div>
          <div class="row"><button class="primary" id="aok" type="submit" value="ok">Duyệt / Approve</button><button type="button" id="acancel">Huỷ / Cancel</button></div></form></dialog>
        <dialog id="ext"><form method="dialog" id="extform">
          <h2>Thẻ ngân hàng trên máy POS <span class="muted small">/ bank card on the card terminal</span></h2>
          <p class="muted small">Chỉ nhập mã duyệt và 4 số cuối in trên phiếu POS, không bao giờ nhập số thẻ. / Approval code and last 4 digits only, never the card number.</p>
          <label>Mã duyệt / approval code<input id="eappr" required autocomplete="off" maxlength="12"></label>
          <label>4 số cuối / last 4 digits<input id="elast4" required autocomplete="off" inputmode="numeric" maxlength="4"></label>
          <div class="msg bad" id="emsg" role="alert"></div>
          <div class="row"><button class="primary" type="submit">Ghi nhận / Record</button><button type="button" id="ecancel">Huỷ / Cancel</button></div></form></dialog>
        <script>
        (function(){
          var me = null, payer = null, card = null, pending = null;
          var STATES = {completed: 'đã thu', pending: 'chờ chuyển khoản', underpaid: 'thiếu tiền', expired: 'hết hạn', voided: 'đã huỷ', refunded: 'đã hoàn'};
          function $(id){ return document.getElementById(id); }
          function show(name){ document.querySelectorAll('.screen').forEach(function(s){ s.classList.toggle('on', s.id === 's-' + name); }); document.body.dataset.screen = name;
            ['xreport','close','signout'].forEach(function(id){ $(id).hidden = name !== 'main'; }); }
          async function api(method, url, body){
            var response = await fetch(url, {method: method, headers: body ? {'Content-Type': 'application/json'} : {}, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin'});
            var data = null; try { data = await response.json(); } catch (e) { data = null; }
            if (response.status === 401 && data && data.code === 'not_signed_in' && me) { me = null; show('login'); say('loginmsg', 'Phiên đăng nhập đã hết / signed out', 'warn'); }
            return {ok: response.ok, status: response.status, data: data};
          }
          function say(id, text, kind){ $(id).textContent = text || ''; $(id).className = 'msg ' + (kind || ''); }
          function problemText(r){ return r.data ? (r.data.title || '') + (r.data.detail ? ' — ' + r.data.detail : '') : 'HTTP ' + r.status; }
          function vnd(n){ return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.') + ' ₫'; }
          async function start(){
            var r = await api('GET', '/api/v1/sessions/current');
            if (r.ok && r.data.role !== 'technician') { me = r.data; $('who').textContent = me.name + ' (' + me.id + ')'; show('main'); recent(); $('code').focus(); } else { show('login'); $('staff').focus(); }
          }
          $('loginform').addEventListener('submit', async function(e){
            e.preventDefault();
            var r = await api('POST', '/api/v1/sessions', {staffId: $('staff').value.trim(), pin: $('pin').value});
            $('pin').value = '';
            if (!r.ok) { say('loginmsg', problemText(r), 'bad'); return; }
            if (r.data.role === 'technician') { await api('DELETE', '/api/v1/sessions/current'); say('loginmsg', 'Kỹ thuật viên dùng trang /tech / technicians use /tech', 'bad'); return; }
            say('loginmsg', ''); start();
          });
          $('signout').addEventListener('click', async function(){ await api('DELETE', '/api/v1/sessions/current'); me = null; clearPayer(); show('login'); });
          function clearPayer(){ payer = null; card = null; $('payer').hidden = true; $('bills').innerHTML = ''; say('findmsg', ''); say('paymsg', ''); }
          async function find(url){
            say('paymsg', ''); $('matches').hidden = true;
            var r = await api('GET', url);
            if (!r.ok) { clearPayer(); say('findmsg', problemText(r), 'bad'); return; }
            payer = r.data; say('findmsg', '');
            $('pname').textContent = payer.name; $('pinfo').textContent = payer.code + (payer.group ? ' · ' + payer.group : '') + ' · số dư / balance ' + payer.availableBalanceText + (payer.blocked ? ' · THẺ BỊ KHÓA / BLOCKED' : '');
            $('bills').innerHTML = '<tr><th></th><th>Khoản thu / bill</th><th class="n">Còn nợ / due</th><th class="n">Thu / pay</th></tr>';
            payer.openBills.forEach(function(b){
              var row = $('bills').insertRow(); row.dataset.bill = b.id; row.dataset.amount = b.outstanding;
              row.innerHTML = '<td><input type="checkbox" checked style="width:26px;min-height:26px"></td><td></td><td class="n"></td><td class="n"><input class="part" inputmode="numeric" style="width:120px;min-height:40px;text-align:right"></td>';
              row.cells[1].textContent = b.title; row.cells[2].textContent = b.outstandingText;
              // A part payment (or a deposit towards the bill): any amount up to what is owed.
              var part = row.querySelector('input.part'); part.value = b.outstanding;
              part.addEventListener('input', total);
              row.querySelector('input[type=checkbox]').addEventListener('change', total);
              // The bill's lines: service, quantity, unit price, and at a hospital the insurance's and the patient's parts.
              var insured = b.lines.some(function(l){ return l.insuranceCovered > 0; });
              var detail = $('bills').insertRow(); detail.className = 'detail';
              var cell = detail.insertCell(); cell.colSpan = 4;
              var lines = document.createElement('table'); lines.className = 'lines';
              lines.innerHTML = '<tr><th>Dịch vụ / service</th><th class="n">SL</th><th class="n">Đơn giá</th>' + (insured ? '<th class="n">BHYT trả</th><th class="n">Người bệnh trả</th>' : '<th class="n">Thành tiền</th>') + '</tr>';
              b.lines.forEach(function(l){
                var tr = lines.insertRow();
                [l.description, String(l.quantity), vnd(l.unitPrice)].concat(insured ? [vnd(l.insuranceCovered), vnd(l.payerPart)] : [vnd(l.amount)]).forEach(function(text, i){
                  var td = tr.insertCell(); td.textContent = text; if (i > 0) { td.className = 'n'; }
                });
              });
              cell.appendChild(lines);
            });
            if (!payer.openBills.length) { say('findmsg', 'Không còn khoản nào phải nộp / nothing owed', 'ok'); }
            $('payer').hidden = false; total();
          }
          function chosen(){ return Array.prototype.filter.call($('bills').querySelectorAll('tr[data-bill]'), function(r){ return r.querySelector('input[type=checkbox]').checked; }); }
          function amountOf(r){ var v = Number(String(r.querySelector('input.part').value).replace(/[^0-9]/g, '')); return v > 0 && v <= Number(r.dataset.amount) ? v : 0; }
          function total(){
            var bad = chosen().some(function(r){ return amountOf(r) === 0; });
            var sum = chosen().reduce(function(s, r){ return s + amountOf(r); }, 0);
            if (bad) { sum = 0; say('paymsg', 'Số tiền mỗi khoản từ 1 ₫ đến số còn nợ / each amount from 1 to what is owed', 'bad'); }
            $('total').textContent = vnd(sum); $('payqr').disabled = sum === 0; $('payext').disabled = sum === 0; $('paycard').disabled = sum === 0 || !card || sum > payer.availableBalance;
          }
          async function pay(method, extra){
            if (!payer || (method === 'card_balance' && $('paycard').disabled) || (method !== 'card_balance' && $('payqr').disabled)) { return; }
            var body = {clientRequestId: 'counter-' + Date.now() + '-' + Math.random().toString(36).slice(2), method: method, bills: chosen().map(function(r){ return {billId: r.dataset.bill, amount: amountOf(r)}; })};
            if (method === 'card_balance') { body.cardUid = card; } else { body.payerCode = payer.code; }
            if (extra) { body.approvalCode = extra.approvalCode; body.cardLast4 = extra.cardLast4; }
            $('paycard').disabled = true; $('payqr').disabled = true;
            var r = await api('POST', '/api/v1/payments', body);
            if (!r.ok) { say('paymsg', problemText(r), 'bad'); total(); return r; }
            say('paymsg', method === 'vietqr' ? 'Mã QR trên màn hình khách hàng: ' + r.data.qr.transferCode + ' / QR on the customer display' : 'Đã thu ' + r.data.amountText + ' · ' + r.data.id, 'ok');
            card = null; recent();
            if (method !== 'vietqr') { var code = payer.code; await find('/api/v1/payers/' + encodeURIComponent(code)); say('paymsg', 'Đã thu ' + r.data.amountText + ' · ' + r.data.id, 'ok'); }
            return r;
          }
          function external(){ if (!payer || $('payqr').disabled) { return; } $('eappr').value = ''; $('elast4').value = ''; say('emsg', ''); $('ext').showModal(); $('eappr').focus(); }
          $('ecancel').addEventListener('click', function(){ $('ext').close(); });
          $('extform').addEventListener('submit', async function(e){
            e.preventDefault();
            var r = await pay('external_card', {approvalCode: $('eappr').value.trim(), cardLast4: $('elast4').value.trim()});
            if (r && !r.ok) { say('emsg', problemText(r), 'bad'); return; }
            $('ext').close();
          });
          async function recent(){
            var r = await api('GET', '/api/v1/payments?limit=15');
            if (!r.ok) { return; }
            var table = $('recent'); table.innerHTML = '<tr><th>Số / no.</th><th class="n">Số tiền</th><th>Trạng thái</th><th></th></tr>';
            r.data.forEach(function(p){
              var row = table.insertRow(); row.dataset.payment = p.id;
              row.innerHTML = '<td class="small"></td><td class="n"></td><td class="small"></td><td class="row"></td>';
              row.cells[0].textContent = p.id.slice(-8) + ' ' + p.payerCode; row.cells[1].textContent = p.amountText;
              row.cells[2].textContent = STATES[p.state] || p.state; row.cells[2].className = 'small state-' + p.state;
              function action(label, handler){ var b = document.createElement('button'); b.type = 'button'; b.textContent = label; b.className = 'small'; b.addEventListener('click', handler); row.cells[3].appendChild(b); }
              if (p.state === 'completed' && p.method === 'card_balance') { action('Huỷ / Void', function(){ approve('void', p); }); }
              if (p.state === 'completed' || p.state === 'underpaid') { action('Hoàn / Refund', function(){ approve('refund', p); }); }
              if (p.state !== 'pending' && p.state !== 'expired') { action('In lại', async function(){ var x = await api('POST', '/api/v1/payments/' + encodeURIComponent(p.id) + '/reprint'); say('paymsg', x.ok ? 'Đã in lại / reprinted' : problemText(x), x.ok ? 'ok' : 'bad'); }); }
            });
          }
          function approve(kind, p){
            pending = {kind: kind, payment: p};
            $('atitle').textContent = (kind === 'void' ? 'Huỷ giao dịch / void ' : 'Hoàn tiền / refund ') + p.id + ' (' + p.amountText + ')';
            $('arefund').hidden = kind !== 'refund'; $('aamount').value = p.amount; $('areason').value = ''; $('asup').value = ''; $('apin').value = ''; say('amsg', '');
            $('approve').showModal(); $('areason').focus();
          }
          $('acancel').addEventListener('click', function(){ $('approve').close(); });
          $('approveform').addEventListener('submit', async function(e){
            e.preventDefault();
            var body = {reason: $('areason').value.trim(), supervisorId: $('asup').value.trim(), supervisorPin: $('apin').value};
            if (pending.kind === 'refund') { body.amount = Number($('aamount').value); body.destination = $('adest').value; body.bankReference = $('aref').value.trim() || null; }
            var r = await api('POST', '/api/v1/payments/' + encodeURIComponent(pending.payment.id) + '/' + pending.kind, body);
            $('apin').value = '';
            if (!r.ok) { say('amsg', problemText(r), 'bad'); return; }
            $('approve').close(); say('paymsg', (pending.kind === 'void' ? 'Đã huỷ / voided ' : 'Đã hoàn / refunded ') + r.data.amountText + ' · ' + r.data.paymentId, 'ok'); recent();
          });
          $('xreport').addEventListener('click', async function(){ var r = await api('POST', '/api/v1/reports/x'); say('paymsg', r.ok ? 'Đã in báo cáo X / X report printed' : problemText(r), r.ok ? 'ok' : 'bad'); });
          $('close').addEventListener('click', async function(){
            if (!confirm('Đóng ca và in báo cáo Z? / Close the shift and print the Z report?')) { return; }
            var r = await api('POST', '/api/v1/shifts/current/close');
            say('paymsg', r.ok ? 'Đã đóng ca ' + r.data.number + ' · thực thu ' + vnd(r.data.net) + ' / shift closed, Z report printed' : problemText(r), r.ok ? 'ok' : 'bad'); recent();
          });
          $('find').addEventListener('click', async function(){
            var c = $('code').value.trim(); if (!c) { return; }
            card = null;
            if (/\s/.test(c) || !/\d/.test(c)) {
              // Words, not a code: search by name and let the cashier choose.
              var r = await api('GET', '/api/v1/payers?name=' + encodeURIComponent(c));
              clearPayer();
              if (!r.ok) { say('findmsg', problemText(r), 'bad'); return; }
              if (!r.data.length) { say('findmsg', 'Không tìm thấy / nobody by that name', 'warn'); return; }
              var list = $('matches'); list.innerHTML = ''; list.hidden = false;
              r.data.forEach(function(m){ var b = document.createElement('button'); b.type = 'button'; b.className = 'small'; b.dataset.code = m.code;
                b.textContent = m.name + ' · ' + m.code + (m.group ? ' · ' + m.group : ''); b.addEventListener('click', function(){ list.hidden = true; find('/api/v1/payers/' + encodeURIComponent(m.code)); }); list.appendChild(b); });
              return;
            }
            find('/api/v1/payers/' + encodeURIComponent(c));
          });
          $('code').addEventListener('keydown', function(e){ if (e.key === 'Enter') { $('find').click(); } });
          $('paycard').addEventListener('click', function(){ pay('card_balance'); });
          $('payqr').addEventListener('click', function(){ pay('vietqr'); });
          $('payext').addEventListener('click', external);
          document.addEventListener('keydown', function(e){
            if (document.body.dataset.screen !== 'main' || $('approve').open || $('ext').open) { return; }
            if (e.key === 'F2') { e.preventDefault(); $('code').focus(); $('code').select(); }
            else if (e.key === 'F4') { e.preventDefault(); pay('card_balance'); }
            else if (e.key === 'F5') { e.preventDefault(); pay('vietqr'); }
            else if (e.key === 'F6') { e.preventDefault(); external(); }
            else if (e.key === 'F8') { e.preventDefault(); $('xreport').click(); }
            else if (e.key === 'Escape') { clearPayer(); $('code').value = ''; }
          });
          var source = new EventSource('/api/v1/kiosk/events');
          source.addEventListener('tap', function(e){ if (!me) { return; } var tap = JSON.parse(e.data); if (!tap.recognised) { clearPayer(); say('findmsg', 'Thẻ không được nhận ra / card not recognised', 'bad'); return; } card = tap.uid; find('/api/v1/payers/by-card/' + encodeURIComponent(tap.uid)).then(function(){ card = tap.uid; total(); }); });
          source.addEventListener('screen', function(e){ var s = JSON.parse(e.data); if (s.institution) { $('inst').textContent = s.institution + ' — quầy thu'; } if (me && (s.state === 'confirmed' || s.state === 'underpaid' || s.state === 'expired')) { say('paymsg', s.message + (s.messageEnglish ? ' / ' + s.messageEnglish : ''), s.state === 'confirmed' ? 'ok' : 'warn'); recent(); } });
          start();
        })();
        </script></body></html>
        """;
}
