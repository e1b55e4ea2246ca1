using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Derby.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class LesionSegmentation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "SuvMaxLesionId",
                table: "ClinicalRecords",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SuvMaxSource",
                table: "ClinicalRecords",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "Entered");

            migrationBuilder.CreateTable(
                name: "Lesions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PatientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PetSeriesId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BoxX0 = table.Column<int>(type: "INTEGER", nullable: false),
                    BoxY0 = table.Column<int>(type: "INTEGER", nullable: false),
                    BoxZ0 = table.Column<int>(type: "INTEGER", nullable: false),
                    BoxX1 = table.Column<int>(type: "INTEGER", nullable: false),
                    BoxY1 = table.Column<int>(type: "INTEGER", nullable: false),
                    BoxZ1 = table.Column<int>(type: "INTEGER", nullable: false),
                    FixedThresholdSuv = table.Column<double>(type: "REAL", nullable: true),
                    SettingsJson = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    InputsSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Voxels = table.Column<int>(type: "INTEGER", nullable: false),
                    MtvMl = table.Column<double>(type: "REAL", nullable: false),
                    SuvMax = table.Column<double>(type: "REAL", nullable: false),
                    SuvMean = table.Column<double>(type: "REAL", nullable: false),
                    SuvPeak = table.Column<double>(type: "REAL", nullable: false),
                    Tlg = table.Column<double>(type: "REAL", nullable: false),
                    ThresholdSuv = table.Column<double>(type: "REAL", nullable: false),
                    BackgroundSuv = table.Column<double>(type: "REAL", nullable: false),
                    Iterations = table.Column<int>(type: "INTEGER", nullable: false),
                    Converged = table.Column<bool>(type: "INTEGER", nullable: false),
                    ThresholdHistoryJson = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    WarningsJson = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    SuvMaxX = table.Column<int>(type: "INTEGER", nullable: false),
                    SuvMaxY = table.Column<int>(type: "INTEGER", nullable: false),
                    SuvMaxZ = table.Column<int>(type: "INTEGER", nullable: false),
                    MaskGzip = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ReplacesLesionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RequestedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    RequestedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    SegmentedUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DecidedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    DecidedUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Lesions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Lesions_ImagingSeries_PetSeriesId",
                        column: x => x.PetSeriesId,
                        principalTable: "ImagingSeries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Lesions_Patients_PatientId",
                        column: x => x.PatientId,
                        principalTable: "Patients",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PairSets",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    LesionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CtSeriesId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SettingsJson = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    PairCount = table.Column<int>(type: "INTEGER", nullable: false),
                    TotalRoiArea = table.Column<int>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PairSets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PairSets_ImagingSeries_CtSeriesId",
                        column: x => x.CtSeriesId,
                        principalTable: "ImagingSeries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_PairSets_Lesions_LesionId",
                        column: x => x.LesionId,
                        principalTable: "Lesions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ImagePairs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PairSetId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    PetSlice = table.Column<int>(type: "INTEGER", nullable: false),
                    CtSlices = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RoiArea = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImagePairs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ImagePairs_PairSets_PairSetId",
                        column: x => x.PairSetId,
                        principalTable: "PairSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ImagePairs_PairSetId_Index",
                table: "ImagePairs",
                columns: new[] { "PairSetId", "Index" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Lesions_InputsSha256",
                table: "Lesions",
                column: "InputsSha256");

            migrationBuilder.CreateIndex(
                name: "IX_Lesions_PatientId_Status",
                table: "Lesions",
                columns: new[] { "PatientId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Lesions_PetSeriesId",
                table: "Lesions",
                column: "PetSeriesId");

            migrationBuilder.CreateIndex(
                name: "IX_PairSets_CtSeriesId",
                table: "PairSets",
                column: "CtSeriesId");

            migrationBuilder.CreateIndex(
                name: "IX_PairSets_LesionId_CtSeriesId_SettingsJson",
                table: "PairSets",
                columns: new[] { "LesionId", "CtSeriesId", "SettingsJson" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ImagePairs");

            migrationBuilder.DropTable(
                name: "PairSets");

            migrationBuilder.DropTable(
                name: "Lesions");

            migrationBuilder.DropColumn(
                name: "SuvMaxLesionId",
                table: "ClinicalRecords");

            migrationBuilder.DropColumn(
                name: "SuvMaxSource",
                table: "ClinicalRecords");
        }
    }
}
