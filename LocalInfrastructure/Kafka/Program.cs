using EventDriven.LocalKafka;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.Configure<LocalKafkaOptions>(builder.Configuration.GetSection("LocalKafka"));
builder.Services.AddSingleton<MockKafkaCluster>();
builder.Services.AddHostedService(services => services.GetRequiredService<MockKafkaCluster>());
builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("kafka-broker");

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapBrokerControlApi();

app.Run();
