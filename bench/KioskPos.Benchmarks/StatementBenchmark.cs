using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using KioskPos.Core.VietQr;
using Microsoft.Data.Sqlite;

namespace KioskPos.Benchmarks;

/// <summary>
/// Issue #19's speed: a month of a busy school account as Vietcombank's internet banking exports it (.xlsx: the
/// bank's title rows, the header Ngày giao dịch / Số tham chiếu / Số tiền ghi nợ / Số tiền ghi có / Mô tả, amounts as
/// <c>1.250.000</c>, the Tổng row), posted to <c>/api/v1/admin/bank/connections/{id}/statement</c> on a real province
/// server over its SQLite file and matched against the open VietQR payments: one line in five pays an open payment
/// (one in ten of those a SePay webhook already brought, posted through the real webhook first), one in twenty is
/// money out, the rest money in that names no payment. Checked: every open payment paid exactly once, the counts
/// right, and the same file again records nothing. Baseline: a bare read of the same .xlsx with the Open XML SDK in
/// the same run. Target: under 5 s.
/// </summary>
internal static class StatementBenchmark
{
    private const string SepayKey = "bench-sepay-key-0123456789abcdef";
    private static TimeSpan s_lastCpu;
    private static readonly TimeSpan s_target = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(int lines)
    {
        await using var province = await BenchProvince.StartAsync("statement");
        var open = lines / 5;
        var webhooks = open / 10;
        using (var put = await province.Admin.PutAsJsonAsync("/api/v1/admin/bank/connections/sepay-bench",
            new { provider = "sepay", institutionId = "TG-THCS-NGUYENDU", accountNumber = "1023456789", secret = SepayKey }))
        {
            put.EnsureSuccessStatusCode();
        }

        Console.WriteLine($"Creating {open:N0} open VietQR payments (each its pupil's bill) and posting {webhooks:N0} of their transfers through the SePay webhook…");
        var payments = await CreateOpenPaymentsAsync(province, open);
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7));
        using var webhook = new HttpClient { BaseAddress = province.Admin.BaseAddress };
        for (var i = 0; i < webhooks; i++)
        {
            var (_, code, amount) = payments[i];
            var body = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = 900_000_000L + i, ["gateway"] = "Vietcombank", ["transactionDate"] = now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                ["accountNumber"] = "1023456789", ["code"] = null, ["content"] = $"NOP HOC PHI {code}", ["transferType"] = "in", ["transferAmount"] = amount,
                ["accumulated"] = 0, ["subAccount"] = null, ["referenceCode"] = $"MBVCB.{9_000_000 + i}", ["description"] = "",
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/bank/sepay/sepay-bench") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", "Apikey " + SepayKey);
            using var response = await webhook.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        var file = Path.Combine(province.Folder, "sao-ke.xlsx");
        var outgoing = WriteStatement(file, lines, payments, now);
        var incoming = lines - outgoing;
        Console.WriteLine($"Statement: {lines:N0} lines ({incoming:N0} money in, {outgoing:N0} money out), {new FileInfo(file).Length / 1e6:0.00} MB.");

        var reads = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var started = Stopwatch.GetTimestamp();
            ImportBenchmark.BareXlsx(file);
            reads.Add(Stopwatch.GetElapsedTime(started));
        }

        Console.WriteLine($"Importing ({Verdict.Load()})…");
        var (status, result, took) = await PostAsync(province, file);
        var importCpu = s_lastCpu;
        var counts = Counts(result);
        var paidOnce = await province.CountAsync(
            "SELECT COUNT(*) FROM payments p WHERE p.id LIKE 'P-BENCH-%' AND p.state = 'completed' AND p.received = p.amount AND (SELECT COUNT(*) FROM bank_transfers t WHERE t.payment_id = p.id) = 1");
        var (againStatus, again, againTook) = await PostAsync(province, file);
        var againCounts = Counts(again);

        var expected = (incoming, incoming - webhooks, webhooks, 0, outgoing);
        var right = status == 200 && counts == expected && paidOnce == open && againStatus == 200 && againCounts == (incoming, 0, 0, incoming, outgoing);
        var baseline = reads.Min();
        Console.WriteLine($"Bare read (Open XML SDK reader): best of 3 {Verdict.Format(baseline)}.");
        Console.WriteLine($"Import: HTTP {status}, (lines, recorded, already reported, already imported, money out) = {counts} (expected {expected}); " +
            $"{paidOnce:N0} of {open:N0} open payments paid exactly once; in {Verdict.Format(took)}.");
        Console.WriteLine($"The same file again: HTTP {againStatus}, {againCounts}, in {Verdict.Format(againTook)}.");
        if (!right)
        {
            Console.WriteLine("WRONG: the counts or the payments are not as expected.");
        }

        var pass = Verdict.Print($"Vietcombank statement, {lines:N0} lines, imported and matched", took, "Open XML SDK read of the file", baseline, s_target, importCpu);
        return pass && right ? 0 : 1;
    }

    private static (int, int, int, int, int) Counts(JsonElement body) => body.ValueKind != JsonValueKind.Object ? default :
        (body.GetProperty("lines").GetInt32(), body.GetProperty("recorded").GetInt32(), body.GetProperty("alreadyReported").GetInt32(),
            body.GetProperty("alreadyImported").GetInt32(), body.GetProperty("outgoingIgnored").GetInt32());

    private static async Task<(int Status, JsonElement Body, TimeSpan Took)> PostAsync(BenchProvince province, string file)
    {
        var cpu = Verdict.Cpu();
        var started = Stopwatch.GetTimestamp();
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        using var response = await province.Admin.PostAsync("/api/v1/admin/bank/connections/sepay-bench/statement", content);
        var text = await response.Content.ReadAsStringAsync();
        var took = Stopwatch.GetElapsedTime(started);
        s_lastCpu = Verdict.Cpu() - cpu;
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine($"HTTP {(int)response.StatusCode}: {text[..Math.Min(600, text.Length)]}");
        }

        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), took);
    }

    // Open VietQR payments as a terminal's pushed entries leave them in the province's ledger (the statement tests'
    // PendingPayments, in bulk): a pupil, its bill, the journal entry, the payment and its allocation; one transaction.
    private static async Task<List<(string Id, string Code, long Amount)>> CreateOpenPaymentsAsync(BenchProvince province, int count)
    {
        var created = new List<(string, string, long)>(count);
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.UtcNow.AddHours(2).ToString("O", CultureInfo.InvariantCulture);
        await using var connection = new SqliteConnection($"Data Source={province.Database};Pooling=False;Default Timeout=60");
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var terminal = connection.CreateCommand())
        {
            terminal.CommandText = "INSERT INTO terminals (id, institution_id, name, qr_tag) VALUES ('KP-BENCH-QR', 'TG-THCS-NGUYENDU', 'bench QR terminal', 30001)";
            await terminal.ExecuteNonQueryAsync();
        }

        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO accounts (code, institution_id, kind, full_name, group_name, balance, blocked, version) VALUES ($pupil, 'TG-THCS-NGUYENDU', 'pupil', 'Học sinh', '6A1', 0, 0, 0);
            INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($bill, 'TG-THCS-NGUYENDU', $pupil, 'hoc_phi', 'Học phí tháng 12', '2026-12-31', $a, 0, 0);
            INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at) VALUES ('KP-BENCH-QR', $s, 'payment', '', '{}', 'ok', $now);
            INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, transfer_code, expires_at)
                VALUES ($id, 'KP-BENCH-QR', $s, 'TG-THCS-NGUYENDU', $pupil, 'vietqr', $a, $now, $now, 'pending', 0, $c, $exp);
            INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ($id, $bill, $a);
            """;
        var p = (Pupil: insert.Parameters.Add("$pupil", SqliteType.Text), Bill: insert.Parameters.Add("$bill", SqliteType.Text), Amount: insert.Parameters.Add("$a", SqliteType.Integer),
            Sequence: insert.Parameters.Add("$s", SqliteType.Integer), Id: insert.Parameters.Add("$id", SqliteType.Text), Code: insert.Parameters.Add("$c", SqliteType.Text));
        insert.Parameters.AddWithValue("$now", now);
        insert.Parameters.AddWithValue("$exp", expires);
        for (var i = 1; i <= count; i++)
        {
            var code = TransferCode.Create(30_001, i).Value;
            var amount = 1_000_000L + (i * 1_000L);
            (p.Pupil.Value, p.Bill.Value, p.Amount.Value, p.Sequence.Value, p.Id.Value, p.Code.Value) = ($"HSS{i:D6}", $"HP-BENCH-{i:D6}", amount, i, $"P-BENCH-{i:D6}", code);
            await insert.ExecuteNonQueryAsync();
            created.Add(($"P-BENCH-{i:D6}", code, amount));
        }

        await using (var acked = connection.CreateCommand())
        {
            acked.CommandText = $"UPDATE terminals SET acked_through = {count} WHERE id = 'KP-BENCH-QR'";
            await acked.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return created;
    }

    // Vietcombank's export (as StatementImportTests builds it): the bank's title rows, the account, the period, an
    // empty row, the header in row 7, the lines from row 8, Tổng and the closing balance; written forward.
    private static int WriteStatement(string file, int lines, List<(string Id, string Code, long Amount)> payments, DateTimeOffset now)
    {
        var vi = CultureInfo.GetCultureInfo("vi-VN");
        var today = now.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        var strings = new Dictionary<string, int>(StringComparer.Ordinal);
        int S(string s) => strings.TryGetValue(s, out var i) ? i : strings[s] = strings.Count;
        var outgoing = 0;
        using var document = SpreadsheetDocument.Create(file, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        var sheetPart = workbook.AddNewPart<WorksheetPart>();
        using (var writer = OpenXmlWriter.Create(sheetPart))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteStartElement(new SheetData());
            var rowNumber = 0;
            void WriteRow(params string?[] values)
            {
                rowNumber++;
                writer.WriteStartElement(new Row { RowIndex = (uint)rowNumber });
                for (var col = 0; col < values.Length; col++)
                {
                    if (values[col] is { } s)
                    {
                        writer.WriteElement(new Cell { CellReference = $"{(char)('A' + col)}{rowNumber}", DataType = CellValues.SharedString, CellValue = new CellValue(S(s).ToString(CultureInfo.InvariantCulture)) });
                    }
                }

                writer.WriteEndElement();
            }

            WriteRow("NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM");
            WriteRow("SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT");
            WriteRow("Số tài khoản / Account number:", null, "1023456789");
            WriteRow("Loại tiền / Currency:", null, "VND");
            WriteRow($"Từ ngày {today} đến ngày {today}");
            WriteRow();
            WriteRow("Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Mô tả");
            long debits = 0, credits = 0;
            for (var n = 0; n < lines; n++)
            {
                var reference = $"5213.{800_000 + n}";
                if (n % 5 == 0 && n / 5 < payments.Count)
                {
                    var (_, code, amount) = payments[n / 5];
                    credits += amount;
                    WriteRow(today, reference, null, amount.ToString("#,0", vi), $"MBVCB.{4_525_000_000L + n}.{n:D6}.PHU HUYNH HS {n / 5} chuyen tien {code}.CT tu 0351000646393 toi 1023456789");
                }
                else if (n % 20 == 19)
                {
                    outgoing++;
                    debits += 11_000;
                    WriteRow(today, reference, "11.000", null, "Phí quản lý tài khoản");
                }
                else
                {
                    var amount = 50_000L + (n * 10L);
                    credits += amount;
                    WriteRow(today, reference, null, amount.ToString("#,0", vi), $"MBVCB.{4_525_000_000L + n}.CT DEN UNG HO QUY LOP {n}");
                }
            }

            WriteRow("Tổng", null, debits.ToString("#,0", vi), credits.ToString("#,0", vi));
            WriteRow("Số dư cuối kỳ / Closing balance:", null, (credits - debits + 19_390_547).ToString("#,0", vi));
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        var table = workbook.AddNewPart<SharedStringTablePart>();
        table.SharedStringTable = new SharedStringTable(strings.OrderBy(s => s.Value).Select(s => new SharedStringItem(new Text(s.Key))));
        workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "Sao ke" }));
        workbook.Workbook.Save();
        return outgoing;
    }
}
