using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Derby.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class MixtureDimensions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Dimensions",
                table: "MixtureModels",
                type: "int",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Dimensions",
                table: "MixtureModels");
        }
    }
}
