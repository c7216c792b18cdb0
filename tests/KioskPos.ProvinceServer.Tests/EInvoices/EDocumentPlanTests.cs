using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.EInvoices;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// Every ingested payment queues its original e-document, so the outbox grows with the province's payments (some
/// 5 million a year). Migration 0040 indexes it by payment only for adjustments — an original's id is its payment's
/// id, which the primary key finds — so a payment's documents (the receipt's lookup page, the worklist) must be found
/// through those two indexes, never by reading the outbox, and must be the same rows as before: the original first,
/// then its adjustments.
/// </summary>
public abstract class EDocumentPlanTests(ProvinceEngine engine)
{
    [Fact]
    public async Task A_payments_documents_are_its_original_by_key_and_its_adjustments_by_the_adjustments_index_not_a_scan_of_the_outbox()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);

        // 20,000 originals, as the payments' trigger queues them (id = payment_id), and every 1,000th payment voided or
        // refunded twice (an adjustment each). Then the statistics a live server has.
        const string Series = "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 20000) ";
        await province.ExecuteAsync(Series +
            "INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at) " +
            "SELECT 'KP-HD-01-' || g, 'KP-HD-01-' || g, 'TG-THCS-NGUYENDU', 'original', 1000, '2026-12-08', '2026-12-08T01:00:00.000Z', '2026-12-08T01:00:00.000Z' FROM s");
        foreach (var (sequence, at) in new[] { (30001, "2026-12-08T02:00:00.000Z"), (30002, "2026-12-08T03:00:00.000Z") })
        {
            await province.ExecuteAsync(Series +
                "INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at) " +
                $"SELECT 'KP-HD-01-' || g || '/KP-HD-01/' || ({sequence} + g), 'KP-HD-01-' || g, 'TG-THCS-NGUYENDU', 'adjustment', 100, '2026-12-08', '{at}', '{at}' FROM s WHERE g % 1000 = 0");
        }

        await province.ExecuteAsync("ANALYZE");

        var store = province.App.Services.GetRequiredService<EDocumentStore>();
        var documents = await store.OfPaymentAsync("KP-HD-01-7000", CancellationToken.None);
        Assert.Equal(["KP-HD-01-7000", "KP-HD-01-7000/KP-HD-01/37001", "KP-HD-01-7000/KP-HD-01/37002"], documents.Select(d => d.Id));
        Assert.All(documents, d => Assert.Equal("KP-HD-01-7000", d.PaymentId));
        Assert.Equal(["KP-HD-01-7001"], (await store.OfPaymentAsync("KP-HD-01-7001", CancellationToken.None)).Select(d => d.Id));
        Assert.Empty(await store.OfPaymentAsync("KP-HD-01-99999", CancellationToken.None));

        await using var connection = await province.Database.OpenAsync();
        var plan = await QueryPlan.ReadAsync(connection, engine, EDocumentStore.OfPaymentSql, ("$p", "KP-HD-01-7000"));
        var text = string.Join('\n', plan);
        if (engine == ProvinceEngine.Postgres)
        {
            Assert.DoesNotContain("Seq Scan on edocuments", text);
            Assert.Contains("edocuments_pkey", text);
            Assert.Contains("edocuments_adjustments", text);
        }
        else
        {
            Assert.DoesNotContain(plan, line => line.TrimStart() is "SCAN edocuments" || line.TrimStart().StartsWith("SCAN edocuments ", StringComparison.Ordinal));
            Assert.Contains("edocuments_adjustments", text);
        }
    }

    [Fact]
    public async Task The_issuer_reads_the_waiting_rows_of_institutions_with_settings_not_the_outbox_of_those_without()
    {
        // No issuer of its own: the rows are asked for here, not sent.
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--EDocuments:Worker=false"]);

        // The school has no e-document settings: its 20,000 originals wait (they are issued once it has them). The
        // hospital has settings: three originals waiting (one not due before 03:00), one issued, and an adjustment
        // whose original is not issued yet (not due).
        const string Series = "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 20000) ";
        await province.ExecuteAsync(Series +
            "INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at) " +
            "SELECT 'KP-HD-01-' || g, 'KP-HD-01-' || g, 'TG-THCS-NGUYENDU', 'original', 1000, '2026-12-08', '2026-12-08T00:00:00.000Z', '2026-12-08T00:00:00.000Z' FROM s");
        await province.ExecuteAsync(
            "INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, state, next_attempt_at, created_at, updated_at) VALUES " +
            "('KP-BV-01-3', 'KP-BV-01-3', 'TG-TTYT-CHAUTHANH', 'original', 1000, '2026-12-08', 'waiting', NULL, '2026-12-08T01:30:00.000Z', '2026-12-08T01:30:00.000Z'), " +
            "('KP-BV-01-1', 'KP-BV-01-1', 'TG-TTYT-CHAUTHANH', 'original', 1000, '2026-12-08', 'waiting', NULL, '2026-12-08T01:00:00.000Z', '2026-12-08T01:00:00.000Z'), " +
            "('KP-BV-01-2', 'KP-BV-01-2', 'TG-TTYT-CHAUTHANH', 'original', 1000, '2026-12-08', 'waiting', '2026-12-08T03:00:00.000Z', '2026-12-08T01:10:00.000Z', '2026-12-08T01:10:00.000Z'), " +
            "('KP-BV-01-4', 'KP-BV-01-4', 'TG-TTYT-CHAUTHANH', 'original', 1000, '2026-12-08', 'issued', NULL, '2026-12-08T00:30:00.000Z', '2026-12-08T00:30:00.000Z'), " +
            "('KP-BV-01-2/KP-BV-01/9', 'KP-BV-01-2', 'TG-TTYT-CHAUTHANH', 'adjustment', 100, '2026-12-08', 'waiting', NULL, '2026-12-08T01:20:00.000Z', '2026-12-08T01:20:00.000Z')");
        await province.ExecuteAsync(
            "INSERT INTO edocument_settings (institution_id, document_kind, provider, base_url, template_code, series, seller_tax_code, seller_name, username, secret, updated_at) " +
            "VALUES ('TG-TTYT-CHAUTHANH', 'invoice', 'vnpt', 'http://127.0.0.1:1', '1', 'C26TAA', '0312345678', 'TTYT', 'u', 's', '2026-12-08T00:00:00.000Z')");
        await province.ExecuteAsync("ANALYZE");

        var store = province.App.Services.GetRequiredService<EDocumentStore>();
        Assert.Equal(["KP-BV-01-1", "KP-BV-01-3"], (await store.DueAsync("2026-12-08T02:00:00.000Z", 50, CancellationToken.None)).Select(d => d.Id));
        Assert.Equal(["KP-BV-01-1", "KP-BV-01-2", "KP-BV-01-3"], (await store.DueAsync("2026-12-08T03:00:00.000Z", 50, CancellationToken.None)).Select(d => d.Id));
        Assert.Equal(["KP-BV-01-1"], (await store.DueAsync("2026-12-08T03:00:00.000Z", 1, CancellationToken.None)).Select(d => d.Id));

        // Once the school has settings too, its rows come first (older), at most the batch.
        await province.ExecuteAsync(
            "INSERT INTO edocument_settings (institution_id, document_kind, provider, base_url, template_code, series, seller_tax_code, seller_name, username, secret, updated_at) " +
            "VALUES ('TG-THCS-NGUYENDU', 'receipt', 'vnpt', 'http://127.0.0.1:1', '1', 'C26TAA', '0312345679', 'THCS', 'u', 's', '2026-12-08T00:00:00.000Z')");
        var both = await store.DueAsync("2026-12-08T03:00:00.000Z", 50, CancellationToken.None);
        Assert.Equal(50, both.Count);
        Assert.All(both, d => Assert.Equal("TG-THCS-NGUYENDU", d.InstitutionId));

        await using var connection = await province.Database.OpenAsync();
        var plan = await QueryPlan.ReadAsync(connection, engine, EDocumentStore.DueOfInstitutionSql, ("$i", "TG-THCS-NGUYENDU"), ("$now", "2026-12-08T03:00:00.000Z"), ("$n", 50));
        var text = string.Join('\n', plan);
        Assert.Contains("edocuments_waiting", text);
        if (engine == ProvinceEngine.Postgres)
        {
            Assert.False(text.Contains("Seq Scan on edocuments", StringComparison.Ordinal), text);
            Assert.DoesNotContain("Sort", text);
        }
        else
        {
            Assert.DoesNotContain(plan, line => line.TrimStart() is "SCAN edocuments" || line.TrimStart().StartsWith("SCAN edocuments ", StringComparison.Ordinal));
            Assert.DoesNotContain("USE TEMP B-TREE FOR ORDER BY", text);
        }
    }
}

/// <summary>A payment's documents on the embedded SQLite file.</summary>
public sealed class EDocumentPlanSqliteTests() : EDocumentPlanTests(ProvinceEngine.Sqlite);

/// <summary>A payment's documents on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class EDocumentPlanPostgresTests() : EDocumentPlanTests(ProvinceEngine.Postgres);
