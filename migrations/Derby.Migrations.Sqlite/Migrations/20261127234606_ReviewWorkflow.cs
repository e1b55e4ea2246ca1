using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Derby.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ReviewWorkflow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Reviews_PredictionId",
                table: "Reviews");

            migrationBuilder.AddColumn<bool>(
                name: "IsAdjudication",
                table: "Reviews",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "ReviewCases",
                columns: table => new
                {
                    PredictionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AwaitingAdjudication = table.Column<bool>(type: "INTEGER", nullable: false),
                    DisagreedBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    AdjudicatedBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    Verdicts = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewCases", x => x.PredictionId);
                    table.ForeignKey(
                        name: "FK_ReviewCases_Predictions_PredictionId",
                        column: x => x.PredictionId,
                        principalTable: "Predictions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SiteQueries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PredictionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SiteId = table.Column<int>(type: "INTEGER", nullable: false),
                    Question = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    RaisedBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    RaisedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Answer = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    AnsweredBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    AnsweredUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SiteQueries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SiteQueries_Predictions_PredictionId",
                        column: x => x.PredictionId,
                        principalTable: "Predictions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SiteQueries_Sites_SiteId",
                        column: x => x.SiteId,
                        principalTable: "Sites",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Reviews_PredictionId_CreatedUtc",
                table: "Reviews",
                columns: new[] { "PredictionId", "CreatedUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_ReviewCases_Status_AwaitingAdjudication",
                table: "ReviewCases",
                columns: new[] { "Status", "AwaitingAdjudication" });

            migrationBuilder.CreateIndex(
                name: "IX_SiteQueries_PredictionId",
                table: "SiteQueries",
                column: "PredictionId");

            migrationBuilder.CreateIndex(
                name: "IX_SiteQueries_SiteId_Status",
                table: "SiteQueries",
                columns: new[] { "SiteId", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReviewCases");

            migrationBuilder.DropTable(
                name: "SiteQueries");

            migrationBuilder.DropIndex(
                name: "IX_Reviews_PredictionId_CreatedUtc",
                table: "Reviews");

            migrationBuilder.DropColumn(
                name: "IsAdjudication",
                table: "Reviews");

            migrationBuilder.CreateIndex(
                name: "IX_Reviews_PredictionId",
                table: "Reviews",
                column: "PredictionId");
        }
    }
}
