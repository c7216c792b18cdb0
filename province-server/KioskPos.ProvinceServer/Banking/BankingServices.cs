namespace KioskPos.ProvinceServer.Banking;

/// <summary>Registers the bank connections, and the pull worker where the province asks for it.</summary>
internal static class BankingServices
{
    public static IServiceCollection AddBanking(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<BankConnections>();
        services.AddSingleton(sp => new StatementLayoutSet(StatementLayouts.Load(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ProvinceOptions>>().Value.StatementLayoutsFile)));
        services.AddOptions<BankPullOptions>().Bind(configuration.GetSection(BankPullOptions.Section));
        services.AddHttpClient("bank-pull", c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<PayosRequests>();
        services.AddSingleton<BankPullWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<BankPullWorker>());
        return services;
    }
}
