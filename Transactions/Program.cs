var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddKurrentDBClient("kurrentdb");
builder.AddNpgsqlDataSource("transactionsdb", configureDataSourceBuilder: PostgresTracing.OnlyWithinTraces);
builder.AddKafkaProducer<string, byte[]>("kafka");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
