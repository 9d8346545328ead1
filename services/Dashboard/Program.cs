using Pipeline.Dashboard;

// Settings from appsettings.json or the environment: ConnectionStrings__Postgres, ConnectionStrings__RabbitMq,
// Pipeline__Dashboard__Token, Pipeline__Dashboard__PublicReads, ASPNETCORE_URLS (default http://127.0.0.1:5080).
await DashboardApp.Create(args).RunAsync();
