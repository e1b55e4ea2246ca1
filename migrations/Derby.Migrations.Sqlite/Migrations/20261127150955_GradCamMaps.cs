using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Derby.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class GradCamMaps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "GradCamSets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    NetworkModelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PairSetId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PairCount = table.Column<int>(type: "INTEGER", nullable: false),
                    CropSize = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GradCamSets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GradCamSets_NetworkModels_NetworkModelId",
                        column: x => x.NetworkModelId,
                        principalTable: "NetworkModels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_GradCamSets_PairSets_PairSetId",
                        column: x => x.PairSetId,
                        principalTable: "PairSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_GradCamSets_NetworkModelId_PairSetId",
                table: "GradCamSets",
                columns: new[] { "NetworkModelId", "PairSetId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GradCamSets_PairSetId",
                table: "GradCamSets",
                column: "PairSetId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GradCamSets");
        }
    }
}
