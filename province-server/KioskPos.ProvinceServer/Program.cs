using KioskPos.ProvinceServer;

ProvinceApp.Build(args).Run();
