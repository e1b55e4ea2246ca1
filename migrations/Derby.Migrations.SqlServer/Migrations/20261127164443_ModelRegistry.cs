using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Derby.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ModelRegistry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Predictions_ModelVersionId",
                table: "Predictions");

            migrationBuilder.AddColumn<string>(
                name: "FeaturesJson",
                table: "Predictions",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "InputHashesJson",
                table: "Predictions",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PairCount",
                table: "Predictions",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "PairScoresJson",
                table: "Predictions",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequestedBy",
                table: "Predictions",
                type: "nvarchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SignaturesJson",
                table: "Predictions",
                type: "nvarchar(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Threshold",
                table: "Predictions",
                type: "float",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "CohortId",
                table: "ModelVersions",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Error",
                table: "ModelVersions",
                type: "nvarchar(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ManifestJson",
                table: "ModelVersions",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "NetworkModelId",
                table: "ModelVersions",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Progress",
                table: "ModelVersions",
                type: "nvarchar(400)",
                maxLength: 400,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequestedBy",
                table: "ModelVersions",
                type: "nvarchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SettingsJson",
                table: "ModelVersions",
                type: "nvarchar(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "ModelVersions",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Trained");

            migrationBuilder.AddColumn<DateTime>(
                name: "TrainedUtc",
                table: "ModelVersions",
                type: "datetime2",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Predictions_ModelVersionId_IsStale",
                table: "Predictions",
                columns: new[] { "ModelVersionId", "IsStale" });

            migrationBuilder.CreateIndex(
                name: "IX_ModelVersions_CohortId",
                table: "ModelVersions",
                column: "CohortId");

            migrationBuilder.CreateIndex(
                name: "IX_ModelVersions_NetworkModelId",
                table: "ModelVersions",
                column: "NetworkModelId");

            migrationBuilder.AddForeignKey(
                name: "FK_ModelVersions_Cohorts_CohortId",
                table: "ModelVersions",
                column: "CohortId",
                principalTable: "Cohorts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_ModelVersions_NetworkModels_NetworkModelId",
                table: "ModelVersions",
                column: "NetworkModelId",
                principalTable: "NetworkModels",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ModelVersions_Cohorts_CohortId",
                table: "ModelVersions");

            migrationBuilder.DropForeignKey(
                name: "FK_ModelVersions_NetworkModels_NetworkModelId",
                table: "ModelVersions");

            migrationBuilder.DropIndex(
                name: "IX_Predictions_ModelVersionId_IsStale",
                table: "Predictions");

            migrationBuilder.DropIndex(
                name: "IX_ModelVersions_CohortId",
                table: "ModelVersions");

            migrationBuilder.DropIndex(
                name: "IX_ModelVersions_NetworkModelId",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "FeaturesJson",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "InputHashesJson",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "PairCount",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "PairScoresJson",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "RequestedBy",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "SignaturesJson",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "Threshold",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "CohortId",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "Error",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "ManifestJson",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "NetworkModelId",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "Progress",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "RequestedBy",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "SettingsJson",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "ModelVersions");

            migrationBuilder.DropColumn(
                name: "TrainedUtc",
                table: "ModelVersions");

            migrationBuilder.CreateIndex(
                name: "IX_Predictions_ModelVersionId",
                table: "Predictions",
                column: "ModelVersionId");
        }
    }
}
