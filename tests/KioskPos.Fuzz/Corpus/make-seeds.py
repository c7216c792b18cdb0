#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (one folder per target, named as the target). Run it again after
changing it; the files are committed. Findings replayed by `make test` live beside the seeds as finding-*."""
import json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


# vietqr: payloads from the NAPAS examples the Core tests use (account and card, static and dynamic, field 62).
for i, p in enumerate([
    "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52",
    "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E",
    "00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN63049E6F",
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C",
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA53037045405100005802VN62150811Chuyen tien630453E6",
    "00020101021126280010A0000007750110010531231153037045802VN6304ABCD",
]):
    write("vietqr", f"seed-{i}", p)

# transfer-text: descriptions as banks send them back, with and without a code.
for i, t in enumerate([
    "KP2AB00007Q4", "MBVCB.3278.KP2AB 00007Q4.CT tu 0123456789 NGUYEN VAN A", "kp-2ab-00007q4 hoc phi",
    "Chuyển tiền học phí KP222222223X", "IBFT KP2AB00007Q4 KP2AB00007Q4", "no code here", "",
]):
    write("transfer-text", f"seed-{i}", t)

# printer-status: the answers to DLE EOT 1..4 (ready, paper out, cover open, near end, not a status byte).
for i, s in enumerate([b"\x16\x12\x12\x12", b"\x16\x32\x12\x72", b"\x1e\x16\x12\x12", b"\x16\x12\x12\x1e", b"\x16\x12\x5a\x12", b"\x00\x12\x12\x12\x16\x12\x12\x12"]):
    write("printer-status", f"seed-{i}", s)

# escpos-emulator: streams using the commands of issue 23.
ESC, GS, DLE = b"\x1b", b"\x1d", b"\x10"
qr = b"00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN63049E6E"
qr_store = GS + b"(k" + struct.pack("<H", len(qr) + 3) + b"1P0" + qr
streams = {
    "text": ESC + b"@" + b"Hello\n" + ESC + b"E\x01Bold\n" + ESC + b"E\x00" + ESC + b"-\x01under\n" + GS + b"!\x11big\n" + GS + b"!\x00" + ESC + b"a\x01center\n" + GS + b"V\x42\x03",
    "vietnamese-1258": ESC + b"@" + ESC + b"t\x34" + "Học phí tháng 9\n".encode("cp1258", errors="replace") + GS + b"V\x00",
    "tcvn3": ESC + b"@" + ESC + b"t\x1e" + b"H\xb8c ph\xcd\n" + ESC + b"t\x1f" + b"\xa7\xa9\n" + ESC + b"m",
    "codepages": ESC + b"@" + b"".join(ESC + b"t" + bytes([n]) + bytes(range(0x80, 0x90)) + b"\n" for n in (0, 2, 16, 19, 45, 47, 52, 255)) + ESC + b"R\x02@[\\]\n",
    "barcodes": ESC + b"@" + GS + b"h\x50" + GS + b"w\x02" + GS + b"H\x02" + GS + b"f\x00"
        + GS + b"k\x49\x0c{BKP2AB00007Q4" + GS + b"k\x02" + b"4006381333931\x00" + GS + b"k\x43\x0c" + b"400638133393"
        + GS + b"k\x04" + b"*CODE39*\x00" + GS + b"k\x45\x05ABC12" + GS + b"k\x46\x06012345" + GS + b"k\x47\x06A1234B" + GS + b"k\x48\x04AB12" + GS + b"V\x01",
    "qr": ESC + b"@" + GS + b"(k\x04\x001A2\x00" + GS + b"(k\x03\x001C\x04" + GS + b"(k\x03\x001E1" + qr_store + GS + b"(k\x03\x001Q0" + GS + b"V\x41\x00",
    "images": ESC + b"@" + GS + b"v0\x00\x02\x00\x08\x00" + bytes([0xAA, 0x55] * 8) + ESC + b"*\x00\x04\x00" + b"\xff\x81\x81\xff" + b"\n"
        + GS + b"(L" + struct.pack("<H", 10 + 2) + b"0p0\x01\x01" + b"1" + struct.pack("<HH", 16, 1) + b"\xf0\x0f"
        + GS + b"(L\x02\x000\x02" + GS + b"8L" + struct.pack("<I", 10 + 2) + b"0p0\x01\x01" + b"1" + struct.pack("<HH", 16, 1) + b"\x0f\xf0"
        + GS + b"*\x01\x01" + b"\xff" * 8 + GS + b"/\x00" + GS + b"V\x00",
    "layout": ESC + b"@" + GS + b"L\x20\x00" + GS + b"W\x00\x02" + ESC + b"$\x40\x00x" + ESC + b"\\\x10\x00y" + ESC + b"D\x04\x08\x00" + b"a\tb\tc\n"
        + ESC + b"d\x03" + ESC + b"J\x40" + ESC + b"3\x40" + b"line\n" + ESC + b"2" + ESC + b"{\x01up\n" + ESC + b"{\x00" + GS + b"B\x01rev\n" + GS + b"B\x00" + ESC + b"i",
    "realtime": DLE + b"\x04\x01" + DLE + b"\x04\x02" + DLE + b"\x04\x03" + DLE + b"\x04\x04" + GS + b"a\xff" + GS + b"r\x01" + GS + b"r\x02"
        + DLE + b"\x14\x01\x00\x05" + DLE + b"\x14\x08\x01\x03\x14\x01\x06\x02\x08" + DLE + b"\x05\x01" + GS + b"I\x01",
    "drawer-buzzer": ESC + b"@" + ESC + b"p\x00\x19\xfa" + ESC + b"B\x02\x03" + b"\x07" + ESC + b"(A\x04\x00\x30\x33\x03\x0a" + GS + b"V\x42\x00",
    "unknown": ESC + b"@" + ESC + b"\x01" + GS + b"\x02" + b"\x1c\x2e" + b"\x01text\n",
    "user-characters": ESC + b"@" + ESC + b"%\x01" + ESC + b"&\x03AB" + b"\x04" + b"\x0f\xf0\x00" * 4 + b"\x02" + b"\xff\xff\xff" * 2
        + b"ABAB" + ESC + b"?A" + b"AB\n" + ESC + b"!\x31" + ESC + b"&\x03CC\x03" + b"\x81\x81\x80" * 3 + b"C\n" + ESC + b"%\x00" + b"C\n" + GS + b"V\x00",
}
for name, data in streams.items():
    write("escpos-emulator", f"seed-{name}", data)


# evdev: a reader typing 04A1B2C3 and Enter, 64-bit (24-byte) and 32-bit ARM (16-byte) records; a slow typist.
def ev(size, sec, usec, typ, code, value):
    head = struct.pack("<qq", sec, usec) if size == 24 else struct.pack("<ii", sec, usec)
    return head + struct.pack("<HHi", typ, code, value)


KEYS = {"0": 11, "1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10, "A": 30, "B": 48, "C": 46, "D": 32, "E": 18, "F": 33}


def typing(size, text, gap_us=2000, shift=False):
    out, t = b"", 0
    for ch in text:
        t += gap_us
        if shift:
            out += ev(size, 1, t, 1, 42, 1)
        out += ev(size, 1, t, 4, 4, 0x70000) + ev(size, 1, t, 1, KEYS[ch], 1) + ev(size, 1, t, 0, 0, 0) + ev(size, 1, t + 500, 1, KEYS[ch], 0)
        if shift:
            out += ev(size, 1, t, 1, 42, 0)
    return out + ev(size, 1, t + 1000, 1, 28, 1) + ev(size, 1, t + 1500, 1, 28, 0)


write("evdev", "seed-64bit", b"\x00" + typing(24, "04A1B2C3"))
write("evdev", "seed-32bit", b"\x01" + typing(16, "0472A9C1B2D380"))
write("evdev", "seed-decimal-slow", b"\x3e" + typing(24, "0077777777", gap_us=400000))
write("evdev", "seed-shift", b"\x10" + typing(24, "04D4E5F6", shift=True))

# headphone-jack: plugged in, a line-out switch, pulled out (EV_SW 5, SW_HEADPHONE_INSERT 2, SW_LINEOUT_INSERT 6), each
# with SYN_REPORT; 64-bit records read 7 bytes at a time, 32-bit records whole.
def jack(size):
    return (ev(size, 1, 0, 5, 2, 1) + ev(size, 1, 0, 0, 0, 0) + ev(size, 1, 10, 5, 6, 1) + ev(size, 1, 10, 0, 0, 0)
            + ev(size, 2, 0, 5, 2, 0) + ev(size, 2, 0, 0, 0, 0))


write("headphone-jack", "seed-64bit", bytes([6 << 1]) + jack(24))
write("headphone-jack", "seed-32bit", b"\x7f" + jack(16))

# serial-reader: line readers (CR, LF, CR LF, garbage) and EM4100 frames (good, bad checksum, short).
write("serial-reader", "seed-lines", b"\x00" + b"04A1B2C3\r\n0077777777\n  0472A9C1B2D380 \r\x01\x02bad\n" + b"9" * 40 + b"\n")
data5 = bytes.fromhex("0A1B2C3D4E")
xor = 0
for b in data5:
    xor ^= b
write("serial-reader", "seed-em4100", b"\x01" + b"\x02" + (data5.hex().upper() + f"{xor:02X}").encode() + b"\x03\r\n" + b"\x020A1B2C3D4E00\x03" + b"\x020A1B\x03")
write("serial-reader", "seed-chunks", b"\x1f" + b"\x02" + (data5.hex().upper() + f"{xor:02X}").encode() + b"\x03\x02\x02")

# sync-push: a batch of each entry kind (the target recomputes the hash chain, so the hashes need not match).
Z = "0" * 64
pay = {"paymentId": "KP-FUZZ-01-00000001", "accountCode": "HS240001", "cardUid": "04A1B2C3", "amount": 1250000, "method": "card_balance",
       "allocations": [{"billId": "HP-2026-09-HS240001", "amount": 1250000}], "operator": None}
entries = [
    {"sequence": 1, "kind": "payment.created", "createdAt": "2026-12-05T01:00:00+07:00", "payment": pay, "prevHash": Z, "hash": Z},
    {"sequence": 2, "kind": "receipt.printed", "createdAt": "2026-12-05T01:00:01+07:00", "receipt": {"paymentId": "KP-FUZZ-01-00000001", "outcome": "printed", "detail": None}, "prevHash": Z, "hash": Z},
    {"sequence": 3, "kind": "payment.voided", "createdAt": "2026-12-05T01:00:02+07:00", "reversal": {"paymentId": "KP-FUZZ-01-00000001", "amount": 1250000,
        "allocations": [{"billId": "HP-2026-09-HS240001", "amount": 1250000}], "destination": "card_balance", "bankReference": None, "operator": "tn01", "supervisor": "gs01", "reason": "wrong bill"}, "prevHash": Z, "hash": Z},
    {"sequence": 4, "kind": "shift.closed", "createdAt": "2026-12-05T01:00:03+07:00", "shift": {"number": 1, "firstSequence": 1, "lastSequence": 3, "operator": "tn01",
        "byMethod": [{"method": "card_balance", "count": 1, "amount": 1250000}], "voids": 1, "voided": 1250000, "refunds": 0, "refunded": 0, "net": 0}, "prevHash": Z, "hash": Z},
    {"sequence": 5, "kind": "payment.expired", "createdAt": "2026-12-05T01:00:04+07:00", "expiry": {"paymentId": "KP-FUZZ-01-00000001", "reason": "expired"}, "prevHash": Z, "hash": Z},
    {"sequence": 6, "kind": "payment.confirmed", "createdAt": "2026-12-05T01:00:05+07:00", "confirmation": {"paymentId": "KP-FUZZ-01-00000001", "confirmationId": 1, "outcome": "paid", "amount": 5, "totalReceived": 5, "remaining": 0, "bankTransactionId": "FT1"}, "prevHash": Z, "hash": Z},
]
write("sync-push", "seed-batch", json.dumps({"terminalId": "KP-FUZZ-01", "entries": entries}, ensure_ascii=False))
qrpay = dict(pay, method="vietqr", qr={"transferCode": "KP222222223X", "expiresAt": "2026-12-05T01:15:00+07:00", "payload": "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E"})
write("sync-push", "seed-vietqr", json.dumps({"terminalId": "KP-FUZZ-01", "entries": [dict(entries[0], payment=qrpay)]}))
ext = dict(pay, method="external_card", external={"approvalCode": "123456", "last4": "4321"})
write("sync-push", "seed-external", json.dumps({"terminalId": "KP-FUZZ-01", "entries": [dict(entries[0], payment=ext)]}))
write("sync-push", "seed-wrong-terminal", json.dumps({"terminalId": "KP-OTHER", "entries": []}))

# sync-requests: first byte 0 authorise, 1 report, 2 enrol, 3 pull cursor, 4 payOS payment request (terminal tag 2AB).
write("sync-requests", "seed-authorise", b"\x00" + json.dumps({"accountCode": "HS240001", "cardUid": "04A1B2C3", "amount": 50000, "pin": "2580"}).encode())
write("sync-requests", "seed-report", b"\x01" + json.dumps({"version": "0.1.0", "schemaVersion": 12, "queued": 3, "oldestQueuedAt": "2026-12-05T01:00:00Z", "printerState": "ready", "lastError": None}).encode())
write("sync-requests", "seed-enrol", b"\x02" + json.dumps({"code": "ABCD-EFGH-KP7Q-M2XR-3MNB-Z8WT", "publicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + "A" * 86 + "=="}).encode())
write("sync-requests", "seed-cursor", b"\x03" + b"5f0c3a9e.1234")
write("sync-requests", "seed-payment-request", b"\x04" + json.dumps({"paymentId": "KP-FUZZ-01-00000007", "transferCode": "KP2AB00007Q4", "amount": 1250000, "expiresAt": "2026-12-05T08:15:00+07:00"}).encode())
write("sync-requests", "seed-payment-request-other-terminal", b"\x04" + json.dumps({"paymentId": "KP-FUZZ-01-00000008", "transferCode": "KP222222223X", "amount": 1, "expiresAt": "2026-12-05T08:15:00+07:00"}).encode())

# bank-webhook: first byte 0 generic, 1 SePay, 2 payOS, 3 Casso; then the body, from each provider's documented example.
write("bank-webhook", "seed-transfer", b"\x00" + json.dumps({"transactionId": "FT26339012345", "accountNumber": "1023456789", "amount": 1250000,
      "description": "MBVCB.3278.KP2AB 00007Q4.CT tu 0123456789", "transactionTime": "2026-12-05T08:00:00+07:00", "bankBin": "970436"}).encode())
write("bank-webhook", "seed-no-bin", b"\x00" + json.dumps({"transactionId": "1", "accountNumber": "114000123456", "amount": 1, "description": "", "transactionTime": "2026-12-05T01:00:00Z"}).encode())
write("bank-webhook", "seed-bad", b"\x00" + b'{"transactionId":"","amount":-5}')
write("bank-webhook", "seed-sepay", b"\x01" + json.dumps({"id": 92704, "gateway": "Vietcombank", "transactionDate": "2023-03-25 14:02:37", "accountNumber": "0123499999", "code": None,
      "content": "chuyen tien KP2AB00007Q4", "transferType": "in", "transferAmount": 2277000, "accumulated": 19077000, "subAccount": None, "referenceCode": "MBVCB.3278907687", "description": ""}).encode())
write("bank-webhook", "seed-payos", b"\x02" + json.dumps({"code": "00", "desc": "success", "success": True, "data": {"orderCode": 123, "amount": 3000, "description": "VQRIO123",
      "accountNumber": "12345678", "reference": "TF230204212323", "transactionDateTime": "2023-02-04 18:25:00", "currency": "VND", "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
      "code": "00", "desc": "Thành công"}, "signature": "412e915d2871504ed31be63c8f62a149a4410d34c4c42affc9006ef9917eaa03"}, ensure_ascii=False).encode())
write("bank-webhook", "seed-casso", b"\x03" + json.dumps({"error": 0, "data": {"id": 0, "reference": "MA_GIAO_DICH_THU_NGHIEM", "description": "giao dich thu nghiem KP2AB00007Q4", "amount": 599000,
      "runningBalance": 25000000, "transactionDateTime": "2024-10-03 15:06:37", "accountNumber": "88888888", "bankName": "VPBank", "bankAbbreviation": "VPB"}}).encode())

# bill-import-csv / bill-import-json: the demo province's payers (HS240001 at the school, BN260001 at the hospital).
write("bill-import-csv", "seed-english", "bill_id,institution_id,payer_code,category,title,due_date,description,quantity,unit_price,insurance_covered\r\n"
      "FZ-1,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 12,2026-12-31,Học phí,1,1250000,0\r\n"
      "FZ-1,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 12,2026-12-31,\"Bán trú, \"\"ăn trưa\"\"\",20,30000,\r\n")
write("bill-import-csv", "seed-vietnamese", "\ufeffmã khoản thu,mã đơn vị,mã người nộp,loại,tiêu đề,hạn nộp,nội dung,số lượng,đơn giá,bhyt\n"
      "FZ-2,TG-TTYT-CHAUTHANH,BN260001,vien_phi,Viện phí,,Khám bệnh,1,300000,240000\n")
write("bill-import-csv", "seed-errors", "bill_id,institution_id,payer_code,category,title,description,quantity,unit_price\nFZ-3,X,Y,other,,d,0,-1\n")
write("bill-import-json", "seed-bills", json.dumps({"bills": [{"billId": "FZ-4", "institutionId": "TG-THCS-NGUYENDU", "payerCode": "HS240001", "category": "ban_tru",
      "title": "Bán trú", "dueDate": "2026-12-31", "lines": [{"description": "Ăn trưa", "quantity": 20, "unitPrice": 30000, "insuranceCovered": 0}]}]}, ensure_ascii=False))
write("bill-import-json", "seed-empty", '{"bills":[]}')
write("bill-import-json", "seed-nulls", '{"bills":[null,{"billId":null,"lines":[null]}]}')

# cccd-qr: the texts a scanner types from a citizen-ID card's QR (number|old number|name|birth date|sex|address|issue date).
for i, t in enumerate([
    "001090123456|012345678|Nguyễn Văn An|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021",
    "082190000123||Đoàn Thị Kim Tuyết|15011990|Nữ|Ấp Long Hòa, xã Long An, huyện Châu Thành, tỉnh Tiền Giang|20042021\r\n",
    "082190000123||Doan Thi Kim Tuyet|15011990|Nu|Ap Long Hoa|20042021|extra",
    "08219000012|x|y|31021990|Nam|z|01012021", "001090123456", "",
]):
    write("cccd-qr", f"seed-{i}", t)

# moh-xml: a GIAMDINHHS file of two episodes, one with its tables base64 (as most exporters write), one as elements.
import base64


def moh_tables(ma_lk, ma_bn, cccd):
    xml1 = (f"<TONG_HOP><MA_LK>{ma_lk}</MA_LK><STT>1</STT><MA_BN>{ma_bn}</MA_BN><HO_TEN>Trần Văn Bình</HO_TEN><SO_CCCD>{cccd}</SO_CCCD><NGAY_SINH>199001010000</NGAY_SINH>"
            "<NGAY_VAO>202612010730</NGAY_VAO><NGAY_RA>202612011015</NGAY_RA><T_THUOC>60000</T_THUOC><T_VTYT>0</T_VTYT><T_TONGCHI_BV>360000</T_TONGCHI_BV><T_TONGCHI_BH>288000</T_TONGCHI_BH>"
            "<T_BNTT>72000</T_BNTT><T_BNCCT>57600</T_BNCCT><T_BHTT>230400</T_BHTT><T_BHTT_GDV>0</T_BHTT_GDV><T_NGUONKHAC>0</T_NGUONKHAC><MA_CSKCB>82012</MA_CSKCB></TONG_HOP>")
    xml2 = (f"<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC><CHI_TIET_THUOC><MA_LK>{ma_lk}</MA_LK><STT>1</STT><MA_THUOC>40.17</MA_THUOC><TEN_THUOC>Paracetamol 500mg</TEN_THUOC>"
            "<SO_LUONG>20</SO_LUONG><DON_GIA>3000</DON_GIA><THANH_TIEN_BV>60000</THANH_TIEN_BV><THANH_TIEN_BH>0</THANH_TIEN_BH><T_NGUONKHAC>0</T_NGUONKHAC><MUC_HUONG>80</MUC_HUONG>"
            "<T_BNTT>60000</T_BNTT><T_BNCCT>0</T_BNCCT><T_BHTT>0</T_BHTT></CHI_TIET_THUOC></DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>")
    xml3 = (f"<CHITIEU_CHITIET_DVKT_VTYT><DSACH_CHI_TIET_DVKT><CHI_TIET_DVKT><MA_LK>{ma_lk}</MA_LK><STT>1</STT><MA_DICH_VU>02.1896</MA_DICH_VU><TEN_DICH_VU>Khám Nội</TEN_DICH_VU>"
            "<SO_LUONG>1</SO_LUONG><DON_GIA_BV>300000</DON_GIA_BV><DON_GIA_BH>300000</DON_GIA_BH><THANH_TIEN_BV>300000</THANH_TIEN_BV><THANH_TIEN_BH>288000</THANH_TIEN_BH>"
            "<T_NGUONKHAC>0</T_NGUONKHAC><MUC_HUONG>80</MUC_HUONG><T_BNTT>12000</T_BNTT><T_BNCCT>57600</T_BNCCT><T_BHTT>230400</T_BHTT></CHI_TIET_DVKT></DSACH_CHI_TIET_DVKT></CHITIEU_CHITIET_DVKT_VTYT>")
    return [("XML1", xml1), ("XML2", xml2), ("XML3", xml3)]


def moh_file(episodes):
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<GIAMDINHHS><THONGTINDONVI><MACSKCB>82012</MACSKCB></THONGTINDONVI>',
           f"<THONGTINHOSO><NGAYLAP>20261205</NGAYLAP><SOLUONGHOSO>{len(episodes)}</SOLUONGHOSO><DANHSACHHOSO>"]
    for (ma_lk, ma_bn, cccd, packed) in episodes:
        out.append("<HOSO>")
        for kind, table in moh_tables(ma_lk, ma_bn, cccd):
            body = base64.b64encode(('<?xml version="1.0" encoding="utf-8"?>' + table).encode()).decode() if packed else table
            out.append(f"<FILEHOSO><LOAIHOSO>{kind}</LOAIHOSO><NOIDUNGFILE>{body}</NOIDUNGFILE></FILEHOSO>")
        out.append("</HOSO>")
    out.append("</DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI /></GIAMDINHHS>\n")
    return "".join(out)


write("moh-xml", "seed-two-episodes", moh_file([("LK-FZ-1", "BN260001", "082190000123", True), ("LK-FZ-2", "BN260002", "", False)]))
write("moh-xml", "seed-not-moh", '<?xml version="1.0"?><HOADON><MA>1</MA></HOADON>')

# bill-import-xlsx: a fee list as Excel writes it (a title row, the header in row 3, shared strings, a merged title),
# built part by part as the Office Open XML package it is.
import io, zipfile
from xml.sax.saxutils import escape


def xlsx(rows, merges):
    strings, cells_xml = [], []
    for r, values in rows:
        cells = []
        for c, v in enumerate(values):
            if v is None:
                continue
            ref = f"{chr(65 + c)}{r}"
            if isinstance(v, str):
                if v not in strings:
                    strings.append(v)
                cells.append(f'<c r="{ref}" t="s"><v>{strings.index(v)}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    merge_xml = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>" if merges else ""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns}><sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {ns}><sheetData>{"".join(cells_xml)}</sheetData>{merge_xml}</worksheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 5, 0, 0, 0))
            z.writestr(info, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


HEADER = ["STT", "Mã khoản thu", "Mã học sinh", "Họ và tên", "Lớp", "Loại", "Tiêu đề", "Hạn nộp", "Nội dung", "Số lượng", "Đơn giá", "Miễn giảm"]
write("bill-import-xlsx", "seed-fee-list", xlsx([(1, ["TRƯỜNG THCS NGUYỄN DU — DANH SÁCH THU HỌC PHÍ"]), (3, HEADER),
    (4, [1, "FZ-X1", "HS240001", "Nguyễn Văn An", "6A", "hoc_phi", "Học phí tháng 1/2027", 46418, "Học phí", 1, "150.000", 50000]),
    (5, [2, None, None, None, None, None, None, None, "Quỹ lớp", 1, 20000, None])], ["A1:L1", "B4:B5", "C4:C5", "F4:F5", "G4:G5", "H4:H5"]))
write("bill-import-xlsx", "seed-errors", xlsx([(3, HEADER), (4, [1, "FZ-X2", "HS240001", "Nguyễn Văn An", "6A", "hocphi", "Học phí", "31-01-2027", "Học phí", 1, "15O.000", None])], []))


# bank-statement: a Vietcombank-style export as CSV (title rows naming the account, the header, a credit, a debit) and
# as a workbook; one of another account; one whose amount was split by unquoted thousands separators.
STATEMENT_HEADER = ["Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Mô tả"]
write("bank-statement", "seed-csv", "SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT\nSố tài khoản / Account number:,,1023456789\n"
    + ",".join(STATEMENT_HEADER) + "\n05/12/2026,5213.10,,\"385.000\",MBVCB.4525077409.PHAM THI Q nop tien KP2AB00007Q4\n"
    + "05/12/2026,5213.11,\"20.000\",,Phi dich vu\n")
write("bank-statement", "seed-other-account", "Số tài khoản / Account number:,,9999999999\n" + ",".join(STATEMENT_HEADER) + "\n05/12/2026,1,,\"1.000\",x\n")
write("bank-statement", "seed-split-amount", "Số tài khoản / Account number:,,1023456789\n" + ",".join(STATEMENT_HEADER) + "\n05/12/2026,2,,1,800,000,hoc phi\n")
write("bank-statement", "seed-xlsx", xlsx([(1, ["SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT"]), (2, ["Số tài khoản / Account number:", None, "1023456789"]), (3, STATEMENT_HEADER),
    (4, ["05/12/2026", "5213.12", None, 915000, "MBVCB.1.NGUYEN VAN R KP2AB00007Q4"])], ["A1:E1"]))

# truetype-face: patches (4-byte offset, byte) to Noto Sans Regular as Debian ships it: none; the table count; the
# first table record's offset and length; bytes inside the glyph data.
write("truetype-face", "seed-unchanged", b"")
write("truetype-face", "seed-table-count", struct.pack(">IB", 5, 0xFF))
write("truetype-face", "seed-first-record", struct.pack(">IBIB", 12 + 8, 0x7F, 12 + 12, 0xFF))
write("truetype-face", "seed-glyph-bytes", b"".join(struct.pack(">IB", o, b) for o, b in [(200000, 0xFF), (200001, 0x80), (300000, 0x00), (400000, 0x7F)]))
