using KioskPos.Core.Payments;

namespace KioskPos.Storage.Tests;

/// <summary>
/// A card looked up while the terminal's first pull commits: the lookup and the "has a pull filled the cache" check
/// read one snapshot, so the answer is "not ready" or the account, never "not recognised" for a card the pull brings
/// (the crash test once met that 404 right after a restart, while the terminal took its first pull).
/// </summary>
public class CatalogueLookupTests
{
    private static readonly PaymentRefusal s_unknown = PaymentRefusal.CardNotRecognised("••••B2C3");

    [Fact]
    public async Task A_card_looked_up_while_the_first_pull_commits_is_not_ready_or_known_never_unknown()
    {
        var notReady = 0;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await using var db = new TempDatabase();
            await db.Database.MigrateAsync();
            var answers = new List<string>();
            var looking = Task.Run(async () =>
            {
                while (true)
                {
                    var (account, refusal) = await db.Catalogue.LookUpAsync("04A1B2C3", null, s_unknown);
                    if (account is not null)
                    {
                        Assert.Equal("HS1", account.Code);
                        return;
                    }

                    answers.Add(refusal!.Code);
                }
            });

            await Task.Delay(attempt % 5);
            await db.SeedAsync(); // the first pull: the institution, the payers and their cards in one transaction
            await looking.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.All(answers, code => Assert.Equal("terminal_not_ready", code));
            notReady += answers.Count;
        }

        // The lookups ran before and across the pull's commit, not only after it.
        Assert.True(notReady > 0, "no lookup answered before the pull committed");
    }

    [Fact]
    public async Task Before_the_first_pull_nobody_is_unknown_and_after_it_an_unknown_card_or_code_is()
    {
        await using var db = new TempDatabase();
        await db.Database.MigrateAsync();
        Assert.Equal("terminal_not_ready", (await db.Catalogue.LookUpAsync("04A1B2C3", null, s_unknown)).Refusal!.Code);
        Assert.Equal("terminal_not_ready", (await db.Catalogue.LookUpAsync(null, "HS1", PaymentRefusal.PayerNotFound("HS1"))).Refusal!.Code);

        await db.SeedAsync();
        Assert.Equal("HS1", (await db.Catalogue.FindOrRefuseAsync("04A1B2C3", null, s_unknown)).Code);
        Assert.Equal("HS2", (await db.Catalogue.FindOrRefuseAsync(null, "HS2", PaymentRefusal.PayerNotFound("HS2"))).Code);
        Assert.Equal("card_not_recognised", (await Assert.ThrowsAsync<PaymentRefusedException>(() => db.Catalogue.FindOrRefuseAsync("04FFFFFF", null, s_unknown))).Refusal.Code);
        Assert.Equal("payer_not_found", (await db.Catalogue.LookUpAsync(null, "HS9", PaymentRefusal.PayerNotFound("HS9"))).Refusal!.Code);
    }
}
