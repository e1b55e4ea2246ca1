using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Derby.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class NetworkTraining : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "NetworkModels",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Version = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    CohortId = table.Column<int>(type: "int", nullable: false),
                    Status = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    SettingsJson = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: false),
                    CurrentEpoch = table.Column<int>(type: "int", nullable: false),
                    TotalEpochs = table.Column<int>(type: "int", nullable: false),
                    HistoryJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    BestEpoch = table.Column<int>(type: "int", nullable: false),
                    ValidationAuc = table.Column<double>(type: "float", nullable: true),
                    CheckpointSha256 = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    TrainingPatients = table.Column<int>(type: "int", nullable: false),
                    ValidationPatients = table.Column<int>(type: "int", nullable: false),
                    TrainingPairs = table.Column<int>(type: "int", nullable: false),
                    ValidationPairs = table.Column<int>(type: "int", nullable: false),
                    Error = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    RequestedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    RequestedUtc = table.Column<DateTime>(type: "datetime2", nullable: false),
                    StartedUtc = table.Column<DateTime>(type: "datetime2", nullable: true),
                    FinishedUtc = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NetworkModels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NetworkModels_Cohorts_CohortId",
                        column: x => x.CohortId,
                        principalTable: "Cohorts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "FeatureSets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    NetworkModelId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    PairSetId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Sha256 = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    PairCount = table.Column<int>(type: "int", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FeatureSets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FeatureSets_NetworkModels_NetworkModelId",
                        column: x => x.NetworkModelId,
                        principalTable: "NetworkModels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_FeatureSets_PairSets_PairSetId",
                        column: x => x.PairSetId,
                        principalTable: "PairSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MixtureModels",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    NetworkModelId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    K = table.Column<int>(type: "int", nullable: false),
                    CovarianceType = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    BicJson = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false),
                    ParametersSha256 = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    TrainingPairs = table.Column<int>(type: "int", nullable: false),
                    Seed = table.Column<int>(type: "int", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MixtureModels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MixtureModels_NetworkModels_NetworkModelId",
                        column: x => x.NetworkModelId,
                        principalTable: "NetworkModels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PairImageFeatures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    MixtureModelId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ImagePairId = table.Column<long>(type: "bigint", nullable: false),
                    ResponsibilitiesJson = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PairImageFeatures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PairImageFeatures_ImagePairs_ImagePairId",
                        column: x => x.ImagePairId,
                        principalTable: "ImagePairs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_PairImageFeatures_MixtureModels_MixtureModelId",
                        column: x => x.MixtureModelId,
                        principalTable: "MixtureModels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FeatureSets_NetworkModelId_PairSetId",
                table: "FeatureSets",
                columns: new[] { "NetworkModelId", "PairSetId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FeatureSets_PairSetId",
                table: "FeatureSets",
                column: "PairSetId");

            migrationBuilder.CreateIndex(
                name: "IX_MixtureModels_NetworkModelId",
                table: "MixtureModels",
                column: "NetworkModelId");

            migrationBuilder.CreateIndex(
                name: "IX_NetworkModels_CohortId",
                table: "NetworkModels",
                column: "CohortId");

            migrationBuilder.CreateIndex(
                name: "IX_NetworkModels_Version",
                table: "NetworkModels",
                column: "Version",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PairImageFeatures_ImagePairId",
                table: "PairImageFeatures",
                column: "ImagePairId");

            migrationBuilder.CreateIndex(
                name: "IX_PairImageFeatures_MixtureModelId_ImagePairId",
                table: "PairImageFeatures",
                columns: new[] { "MixtureModelId", "ImagePairId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FeatureSets");

            migrationBuilder.DropTable(
                name: "PairImageFeatures");

            migrationBuilder.DropTable(
                name: "MixtureModels");

            migrationBuilder.DropTable(
                name: "NetworkModels");
        }
    }
}
