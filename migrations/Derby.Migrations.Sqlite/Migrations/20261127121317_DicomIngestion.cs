using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Derby.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DicomIngestion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Deidentification",
                table: "Studies",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "Reject");

            migrationBuilder.AddColumn<int>(
                name: "Columns",
                table: "ImagingSeries",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "FrameOfReferenceUid",
                table: "ImagingSeries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Manufacturer",
                table: "ImagingSeries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Model",
                table: "ImagingSeries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Orientation",
                table: "ImagingSeries",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PixelSpacing",
                table: "ImagingSeries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Rows",
                table: "ImagingSeries",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "SliceSpacingMm",
                table: "ImagingSeries",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "StudyInstanceUid",
                table: "ImagingSeries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "SuvFactor",
                table: "ImagingSeries",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SuvRule",
                table: "ImagingSeries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SuvTags",
                table: "ImagingSeries",
                type: "TEXT",
                maxLength: 512,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ImagingInstances",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SeriesId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SopInstanceUid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    SliceIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    PositionMm = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImagingInstances", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ImagingInstances_ImagingSeries_SeriesId",
                        column: x => x.SeriesId,
                        principalTable: "ImagingSeries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ImagingInstances_SeriesId_SliceIndex",
                table: "ImagingInstances",
                columns: new[] { "SeriesId", "SliceIndex" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ImagingInstances_SopInstanceUid",
                table: "ImagingInstances",
                column: "SopInstanceUid",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ImagingInstances");

            migrationBuilder.DropColumn(
                name: "Deidentification",
                table: "Studies");

            migrationBuilder.DropColumn(
                name: "Columns",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "FrameOfReferenceUid",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "Manufacturer",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "Model",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "Orientation",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "PixelSpacing",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "Rows",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "SliceSpacingMm",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "StudyInstanceUid",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "SuvFactor",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "SuvRule",
                table: "ImagingSeries");

            migrationBuilder.DropColumn(
                name: "SuvTags",
                table: "ImagingSeries");
        }
    }
}
