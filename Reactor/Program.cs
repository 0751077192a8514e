var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("reactordb", configureDataSourceBuilder: PostgresTracing.OnlyWithinTraces);
builder.AddKafkaProducer<string, byte[]>("kafka");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
