IF OBJECT_ID(N'[__EFMigrationsHistory]') IS NULL
BEGIN
    CREATE TABLE [__EFMigrationsHistory] (
        [MigrationId] nvarchar(150) NOT NULL,
        [ProductVersion] nvarchar(32) NOT NULL,
        CONSTRAINT [PK___EFMigrationsHistory] PRIMARY KEY ([MigrationId])
    );
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [AspNetRoles] (
        [Id] nvarchar(450) NOT NULL,
        [Name] nvarchar(256) NULL,
        [NormalizedName] nvarchar(256) NULL,
        [ConcurrencyStamp] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetRoles] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [AspNetUsers] (
        [Id] nvarchar(450) NOT NULL,
        [UserName] nvarchar(256) NULL,
        [NormalizedUserName] nvarchar(256) NULL,
        [Email] nvarchar(256) NULL,
        [NormalizedEmail] nvarchar(256) NULL,
        [EmailConfirmed] bit NOT NULL,
        [PasswordHash] nvarchar(max) NULL,
        [SecurityStamp] nvarchar(max) NULL,
        [ConcurrencyStamp] nvarchar(max) NULL,
        [PhoneNumber] nvarchar(max) NULL,
        [PhoneNumberConfirmed] bit NOT NULL,
        [TwoFactorEnabled] bit NOT NULL,
        [LockoutEnd] datetimeoffset NULL,
        [LockoutEnabled] bit NOT NULL,
        [AccessFailedCount] int NOT NULL,
        CONSTRAINT [PK_AspNetUsers] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [AuditEvents] (
        [Id] bigint NOT NULL IDENTITY,
        [OccurredUtc] datetime2 NOT NULL,
        [Actor] nvarchar(256) NOT NULL,
        [Action] nvarchar(64) NOT NULL,
        [EntityType] nvarchar(64) NULL,
        [EntityId] nvarchar(64) NULL,
        [SiteId] int NULL,
        [Details] nvarchar(max) NULL,
        CONSTRAINT [PK_AuditEvents] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [ModelVersions] (
        [Id] int NOT NULL IDENTITY,
        [Version] nvarchar(64) NOT NULL,
        [Kind] nvarchar(32) NOT NULL,
        [IsActive] bit NOT NULL,
        [ArtefactSha256] nvarchar(64) NULL,
        [CreatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_ModelVersions] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [Studies] (
        [Id] int NOT NULL IDENTITY,
        [Code] nvarchar(32) NOT NULL,
        [Title] nvarchar(300) NOT NULL,
        CONSTRAINT [PK_Studies] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [AspNetRoleClaims] (
        [Id] int NOT NULL IDENTITY,
        [RoleId] nvarchar(450) NOT NULL,
        [ClaimType] nvarchar(max) NULL,
        [ClaimValue] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetRoleClaims] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AspNetRoleClaims_AspNetRoles_RoleId] FOREIGN KEY ([RoleId]) REFERENCES [AspNetRoles] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [AspNetUserClaims] (
        [Id] int NOT NULL IDENTITY,
        [UserId] nvarchar(450) NOT NULL,
        [ClaimType] nvarchar(max) NULL,
        [ClaimValue] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetUserClaims] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AspNetUserClaims_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [AspNetUserLogins] (
        [LoginProvider] nvarchar(450) NOT NULL,
        [ProviderKey] nvarchar(450) NOT NULL,
        [ProviderDisplayName] nvarchar(max) NULL,
        [UserId] nvarchar(450) NOT NULL,
        CONSTRAINT [PK_AspNetUserLogins] PRIMARY KEY ([LoginProvider], [ProviderKey]),
        CONSTRAINT [FK_AspNetUserLogins_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [AspNetUserRoles] (
        [UserId] nvarchar(450) NOT NULL,
        [RoleId] nvarchar(450) NOT NULL,
        CONSTRAINT [PK_AspNetUserRoles] PRIMARY KEY ([UserId], [RoleId]),
        CONSTRAINT [FK_AspNetUserRoles_AspNetRoles_RoleId] FOREIGN KEY ([RoleId]) REFERENCES [AspNetRoles] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_AspNetUserRoles_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [AspNetUserTokens] (
        [UserId] nvarchar(450) NOT NULL,
        [LoginProvider] nvarchar(450) NOT NULL,
        [Name] nvarchar(450) NOT NULL,
        [Value] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetUserTokens] PRIMARY KEY ([UserId], [LoginProvider], [Name]),
        CONSTRAINT [FK_AspNetUserTokens_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [Cohorts] (
        [Id] int NOT NULL IDENTITY,
        [StudyId] int NOT NULL,
        [Code] nvarchar(32) NOT NULL,
        [Name] nvarchar(200) NOT NULL,
        [Kind] nvarchar(32) NOT NULL,
        [Description] nvarchar(1000) NULL,
        CONSTRAINT [PK_Cohorts] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Cohorts_Studies_StudyId] FOREIGN KEY ([StudyId]) REFERENCES [Studies] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [Sites] (
        [Id] int NOT NULL IDENTITY,
        [StudyId] int NOT NULL,
        [Code] nvarchar(12) NOT NULL,
        [Name] nvarchar(200) NOT NULL,
        CONSTRAINT [PK_Sites] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Sites_Studies_StudyId] FOREIGN KEY ([StudyId]) REFERENCES [Studies] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [ImportRuns] (
        [Id] uniqueidentifier NOT NULL,
        [SiteId] int NOT NULL,
        [Kind] nvarchar(32) NOT NULL,
        [FileName] nvarchar(128) NOT NULL,
        [FileSha256] nvarchar(64) NOT NULL,
        [Status] nvarchar(32) NOT NULL,
        [TotalRows] int NOT NULL,
        [ProcessedRows] int NOT NULL,
        [WrittenRows] int NOT NULL,
        [ErrorsJson] nvarchar(max) NULL,
        [RequestedBy] nvarchar(256) NOT NULL,
        [CreatedUtc] datetime2 NOT NULL,
        [CompletedUtc] datetime2 NULL,
        CONSTRAINT [PK_ImportRuns] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ImportRuns_Sites_SiteId] FOREIGN KEY ([SiteId]) REFERENCES [Sites] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [Patients] (
        [Id] uniqueidentifier NOT NULL,
        [SiteId] int NOT NULL,
        [Pseudonym] nvarchar(40) NOT NULL,
        [TreatmentArm] nvarchar(32) NOT NULL,
        [CreatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_Patients] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Patients_Sites_SiteId] FOREIGN KEY ([SiteId]) REFERENCES [Sites] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [SiteAssignments] (
        [UserId] nvarchar(450) NOT NULL,
        [SiteId] int NOT NULL,
        CONSTRAINT [PK_SiteAssignments] PRIMARY KEY ([UserId], [SiteId]),
        CONSTRAINT [FK_SiteAssignments_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_SiteAssignments_Sites_SiteId] FOREIGN KEY ([SiteId]) REFERENCES [Sites] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [BiopsyScores] (
        [PatientId] uniqueidentifier NOT NULL,
        [Glut1Score] float NOT NULL,
        [PkmScore] float NOT NULL,
        [Glut1Antibody] nvarchar(64) NULL,
        [PkmAntibody] nvarchar(64) NULL,
        [AnalysisMethod] nvarchar(64) NULL,
        [UpdatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_BiopsyScores] PRIMARY KEY ([PatientId]),
        CONSTRAINT [FK_BiopsyScores_Patients_PatientId] FOREIGN KEY ([PatientId]) REFERENCES [Patients] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [ClinicalRecords] (
        [PatientId] uniqueidentifier NOT NULL,
        [SuvMax] float NULL,
        [ClinicalRiskScore] int NOT NULL,
        [CeaNgPerMl] float NOT NULL,
        [Ca199UPerMl] float NOT NULL,
        [PrimarySite] nvarchar(32) NOT NULL,
        [LiverMetastasisCount] int NOT NULL,
        [LargestDiameterCm] float NOT NULL,
        [Distribution] nvarchar(32) NOT NULL,
        [AgeYears] int NOT NULL,
        [Sex] nvarchar(32) NOT NULL,
        [UpdatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_ClinicalRecords] PRIMARY KEY ([PatientId]),
        CONSTRAINT [FK_ClinicalRecords_Patients_PatientId] FOREIGN KEY ([PatientId]) REFERENCES [Patients] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [CohortMemberships] (
        [CohortId] int NOT NULL,
        [PatientId] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_CohortMemberships] PRIMARY KEY ([CohortId], [PatientId]),
        CONSTRAINT [FK_CohortMemberships_Cohorts_CohortId] FOREIGN KEY ([CohortId]) REFERENCES [Cohorts] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_CohortMemberships_Patients_PatientId] FOREIGN KEY ([PatientId]) REFERENCES [Patients] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [ImagingSeries] (
        [Id] uniqueidentifier NOT NULL,
        [PatientId] uniqueidentifier NOT NULL,
        [Modality] nvarchar(32) NOT NULL,
        [SeriesInstanceUid] nvarchar(64) NOT NULL,
        [InstanceCount] int NOT NULL,
        [ReceivedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_ImagingSeries] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ImagingSeries_Patients_PatientId] FOREIGN KEY ([PatientId]) REFERENCES [Patients] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [Outcomes] (
        [PatientId] uniqueidentifier NOT NULL,
        [BestResponse] nvarchar(32) NOT NULL,
        [PfsMonths] float NOT NULL,
        [PfsEvent] bit NOT NULL,
        [OsMonths] float NOT NULL,
        [OsEvent] bit NOT NULL,
        [LiverResection] bit NOT NULL,
        [UpdatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_Outcomes] PRIMARY KEY ([PatientId]),
        CONSTRAINT [FK_Outcomes_Patients_PatientId] FOREIGN KEY ([PatientId]) REFERENCES [Patients] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [Predictions] (
        [Id] uniqueidentifier NOT NULL,
        [PatientId] uniqueidentifier NOT NULL,
        [ModelVersionId] int NOT NULL,
        [Trs] float NOT NULL,
        [PredictedResponder] bit NOT NULL,
        [InputsSha256] nvarchar(64) NULL,
        [IsStale] bit NOT NULL,
        [CreatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_Predictions] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Predictions_ModelVersions_ModelVersionId] FOREIGN KEY ([ModelVersionId]) REFERENCES [ModelVersions] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Predictions_Patients_PatientId] FOREIGN KEY ([PatientId]) REFERENCES [Patients] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE TABLE [Reviews] (
        [Id] uniqueidentifier NOT NULL,
        [PredictionId] uniqueidentifier NOT NULL,
        [ReviewerId] nvarchar(450) NOT NULL,
        [Status] nvarchar(32) NOT NULL,
        [Comment] nvarchar(4000) NULL,
        [CreatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_Reviews] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Reviews_Predictions_PredictionId] FOREIGN KEY ([PredictionId]) REFERENCES [Predictions] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_AspNetRoleClaims_RoleId] ON [AspNetRoleClaims] ([RoleId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [RoleNameIndex] ON [AspNetRoles] ([NormalizedName]) WHERE [NormalizedName] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_AspNetUserClaims_UserId] ON [AspNetUserClaims] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_AspNetUserLogins_UserId] ON [AspNetUserLogins] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_AspNetUserRoles_RoleId] ON [AspNetUserRoles] ([RoleId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [EmailIndex] ON [AspNetUsers] ([NormalizedEmail]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [UserNameIndex] ON [AspNetUsers] ([NormalizedUserName]) WHERE [NormalizedUserName] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_AuditEvents_OccurredUtc] ON [AuditEvents] ([OccurredUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_CohortMemberships_PatientId] ON [CohortMemberships] ([PatientId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Cohorts_StudyId_Code] ON [Cohorts] ([StudyId], [Code]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_ImagingSeries_PatientId] ON [ImagingSeries] ([PatientId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ImagingSeries_SeriesInstanceUid] ON [ImagingSeries] ([SeriesInstanceUid]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_ImportRuns_SiteId_Kind_FileSha256] ON [ImportRuns] ([SiteId], [Kind], [FileSha256]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ModelVersions_Version] ON [ModelVersions] ([Version]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Patients_Pseudonym] ON [Patients] ([Pseudonym]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_Patients_SiteId] ON [Patients] ([SiteId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_Predictions_ModelVersionId] ON [Predictions] ([ModelVersionId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_Predictions_PatientId_ModelVersionId_InputsSha256] ON [Predictions] ([PatientId], [ModelVersionId], [InputsSha256]) WHERE [InputsSha256] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_Reviews_PredictionId] ON [Reviews] ([PredictionId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_SiteAssignments_SiteId] ON [SiteAssignments] ([SiteId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Sites_Code] ON [Sites] ([Code]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE INDEX [IX_Sites_StudyId] ON [Sites] ([StudyId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Studies_Code] ON [Studies] ([Code]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127110927_InitialStudySchema'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127110927_InitialStudySchema', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [Studies] ADD [Deidentification] nvarchar(32) NOT NULL DEFAULT N'Reject';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [Columns] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [FrameOfReferenceUid] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [Manufacturer] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [Model] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [Orientation] nvarchar(128) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [PixelSpacing] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [Rows] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [SliceSpacingMm] float NOT NULL DEFAULT 0.0E0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [StudyInstanceUid] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [SuvFactor] float NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [SuvRule] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    ALTER TABLE [ImagingSeries] ADD [SuvTags] nvarchar(512) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    CREATE TABLE [ImagingInstances] (
        [Id] bigint NOT NULL IDENTITY,
        [SeriesId] uniqueidentifier NOT NULL,
        [SopInstanceUid] nvarchar(64) NOT NULL,
        [Sha256] nvarchar(64) NOT NULL,
        [SizeBytes] bigint NOT NULL,
        [SliceIndex] int NOT NULL,
        [PositionMm] float NOT NULL,
        CONSTRAINT [PK_ImagingInstances] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ImagingInstances_ImagingSeries_SeriesId] FOREIGN KEY ([SeriesId]) REFERENCES [ImagingSeries] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ImagingInstances_SeriesId_SliceIndex] ON [ImagingInstances] ([SeriesId], [SliceIndex]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ImagingInstances_SopInstanceUid] ON [ImagingInstances] ([SopInstanceUid]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127121322_DicomIngestion'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127121322_DicomIngestion', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127123717_SiteApiTokens'
)
BEGIN
    CREATE TABLE [SiteApiTokens] (
        [Id] uniqueidentifier NOT NULL,
        [SiteId] int NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [TokenHash] nvarchar(64) NOT NULL,
        [Prefix] nvarchar(8) NOT NULL,
        [CreatedUtc] datetime2 NOT NULL,
        [CreatedBy] nvarchar(256) NOT NULL,
        [RevokedUtc] datetime2 NULL,
        CONSTRAINT [PK_SiteApiTokens] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_SiteApiTokens_Sites_SiteId] FOREIGN KEY ([SiteId]) REFERENCES [Sites] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127123717_SiteApiTokens'
)
BEGIN
    CREATE INDEX [IX_SiteApiTokens_SiteId] ON [SiteApiTokens] ([SiteId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127123717_SiteApiTokens'
)
BEGIN
    CREATE UNIQUE INDEX [IX_SiteApiTokens_TokenHash] ON [SiteApiTokens] ([TokenHash]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127123717_SiteApiTokens'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127123717_SiteApiTokens', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    ALTER TABLE [ClinicalRecords] ADD [SuvMaxLesionId] uniqueidentifier NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    ALTER TABLE [ClinicalRecords] ADD [SuvMaxSource] nvarchar(32) NOT NULL DEFAULT N'Entered';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE TABLE [Lesions] (
        [Id] uniqueidentifier NOT NULL,
        [PatientId] uniqueidentifier NOT NULL,
        [PetSeriesId] uniqueidentifier NOT NULL,
        [BoxX0] int NOT NULL,
        [BoxY0] int NOT NULL,
        [BoxZ0] int NOT NULL,
        [BoxX1] int NOT NULL,
        [BoxY1] int NOT NULL,
        [BoxZ1] int NOT NULL,
        [FixedThresholdSuv] float NULL,
        [SettingsJson] nvarchar(2000) NOT NULL,
        [InputsSha256] nvarchar(64) NOT NULL,
        [Status] nvarchar(32) NOT NULL,
        [Error] nvarchar(2000) NULL,
        [Voxels] int NOT NULL,
        [MtvMl] float NOT NULL,
        [SuvMax] float NOT NULL,
        [SuvMean] float NOT NULL,
        [SuvPeak] float NOT NULL,
        [Tlg] float NOT NULL,
        [ThresholdSuv] float NOT NULL,
        [BackgroundSuv] float NOT NULL,
        [Iterations] int NOT NULL,
        [Converged] bit NOT NULL,
        [ThresholdHistoryJson] nvarchar(4000) NULL,
        [WarningsJson] nvarchar(4000) NULL,
        [SuvMaxX] int NOT NULL,
        [SuvMaxY] int NOT NULL,
        [SuvMaxZ] int NOT NULL,
        [MaskGzip] varbinary(max) NULL,
        [ReplacesLesionId] uniqueidentifier NULL,
        [RequestedBy] nvarchar(256) NOT NULL,
        [RequestedUtc] datetime2 NOT NULL,
        [SegmentedUtc] datetime2 NULL,
        [DecidedBy] nvarchar(256) NULL,
        [DecidedUtc] datetime2 NULL,
        CONSTRAINT [PK_Lesions] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Lesions_ImagingSeries_PetSeriesId] FOREIGN KEY ([PetSeriesId]) REFERENCES [ImagingSeries] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Lesions_Patients_PatientId] FOREIGN KEY ([PatientId]) REFERENCES [Patients] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE TABLE [PairSets] (
        [Id] uniqueidentifier NOT NULL,
        [LesionId] uniqueidentifier NOT NULL,
        [CtSeriesId] uniqueidentifier NOT NULL,
        [SettingsJson] nvarchar(2000) NOT NULL,
        [PairCount] int NOT NULL,
        [TotalRoiArea] int NOT NULL,
        [Sha256] nvarchar(64) NOT NULL,
        [SizeBytes] bigint NOT NULL,
        [CreatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_PairSets] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_PairSets_ImagingSeries_CtSeriesId] FOREIGN KEY ([CtSeriesId]) REFERENCES [ImagingSeries] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_PairSets_Lesions_LesionId] FOREIGN KEY ([LesionId]) REFERENCES [Lesions] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE TABLE [ImagePairs] (
        [Id] bigint NOT NULL IDENTITY,
        [PairSetId] uniqueidentifier NOT NULL,
        [Index] int NOT NULL,
        [PetSlice] int NOT NULL,
        [CtSlices] nvarchar(64) NOT NULL,
        [RoiArea] int NOT NULL,
        CONSTRAINT [PK_ImagePairs] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ImagePairs_PairSets_PairSetId] FOREIGN KEY ([PairSetId]) REFERENCES [PairSets] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ImagePairs_PairSetId_Index] ON [ImagePairs] ([PairSetId], [Index]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE INDEX [IX_Lesions_InputsSha256] ON [Lesions] ([InputsSha256]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE INDEX [IX_Lesions_PatientId_Status] ON [Lesions] ([PatientId], [Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE INDEX [IX_Lesions_PetSeriesId] ON [Lesions] ([PetSeriesId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE INDEX [IX_PairSets_CtSeriesId] ON [PairSets] ([CtSeriesId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    CREATE UNIQUE INDEX [IX_PairSets_LesionId_CtSeriesId_SettingsJson] ON [PairSets] ([LesionId], [CtSeriesId], [SettingsJson]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127132841_LesionSegmentation'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127132841_LesionSegmentation', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE TABLE [NetworkModels] (
        [Id] uniqueidentifier NOT NULL,
        [Version] nvarchar(64) NOT NULL,
        [CohortId] int NOT NULL,
        [Status] nvarchar(32) NOT NULL,
        [SettingsJson] nvarchar(2000) NOT NULL,
        [CurrentEpoch] int NOT NULL,
        [TotalEpochs] int NOT NULL,
        [HistoryJson] nvarchar(max) NULL,
        [BestEpoch] int NOT NULL,
        [ValidationAuc] float NULL,
        [CheckpointSha256] nvarchar(64) NULL,
        [TrainingPatients] int NOT NULL,
        [ValidationPatients] int NOT NULL,
        [TrainingPairs] int NOT NULL,
        [ValidationPairs] int NOT NULL,
        [Error] nvarchar(2000) NULL,
        [RequestedBy] nvarchar(256) NOT NULL,
        [RequestedUtc] datetime2 NOT NULL,
        [StartedUtc] datetime2 NULL,
        [FinishedUtc] datetime2 NULL,
        CONSTRAINT [PK_NetworkModels] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_NetworkModels_Cohorts_CohortId] FOREIGN KEY ([CohortId]) REFERENCES [Cohorts] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE TABLE [FeatureSets] (
        [Id] bigint NOT NULL IDENTITY,
        [NetworkModelId] uniqueidentifier NOT NULL,
        [PairSetId] uniqueidentifier NOT NULL,
        [Sha256] nvarchar(64) NOT NULL,
        [PairCount] int NOT NULL,
        [CreatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_FeatureSets] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_FeatureSets_NetworkModels_NetworkModelId] FOREIGN KEY ([NetworkModelId]) REFERENCES [NetworkModels] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_FeatureSets_PairSets_PairSetId] FOREIGN KEY ([PairSetId]) REFERENCES [PairSets] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE TABLE [MixtureModels] (
        [Id] uniqueidentifier NOT NULL,
        [NetworkModelId] uniqueidentifier NOT NULL,
        [K] int NOT NULL,
        [CovarianceType] nvarchar(16) NOT NULL,
        [BicJson] nvarchar(4000) NOT NULL,
        [ParametersSha256] nvarchar(64) NOT NULL,
        [TrainingPairs] int NOT NULL,
        [Seed] int NOT NULL,
        [CreatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_MixtureModels] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_MixtureModels_NetworkModels_NetworkModelId] FOREIGN KEY ([NetworkModelId]) REFERENCES [NetworkModels] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE TABLE [PairImageFeatures] (
        [Id] bigint NOT NULL IDENTITY,
        [MixtureModelId] uniqueidentifier NOT NULL,
        [ImagePairId] bigint NOT NULL,
        [ResponsibilitiesJson] nvarchar(4000) NOT NULL,
        CONSTRAINT [PK_PairImageFeatures] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_PairImageFeatures_ImagePairs_ImagePairId] FOREIGN KEY ([ImagePairId]) REFERENCES [ImagePairs] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_PairImageFeatures_MixtureModels_MixtureModelId] FOREIGN KEY ([MixtureModelId]) REFERENCES [MixtureModels] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE UNIQUE INDEX [IX_FeatureSets_NetworkModelId_PairSetId] ON [FeatureSets] ([NetworkModelId], [PairSetId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE INDEX [IX_FeatureSets_PairSetId] ON [FeatureSets] ([PairSetId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE INDEX [IX_MixtureModels_NetworkModelId] ON [MixtureModels] ([NetworkModelId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE INDEX [IX_NetworkModels_CohortId] ON [NetworkModels] ([CohortId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE UNIQUE INDEX [IX_NetworkModels_Version] ON [NetworkModels] ([Version]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE INDEX [IX_PairImageFeatures_ImagePairId] ON [PairImageFeatures] ([ImagePairId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    CREATE UNIQUE INDEX [IX_PairImageFeatures_MixtureModelId_ImagePairId] ON [PairImageFeatures] ([MixtureModelId], [ImagePairId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127142629_NetworkTraining'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127142629_NetworkTraining', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127151004_GradCamMaps'
)
BEGIN
    CREATE TABLE [GradCamSets] (
        [Id] bigint NOT NULL IDENTITY,
        [NetworkModelId] uniqueidentifier NOT NULL,
        [PairSetId] uniqueidentifier NOT NULL,
        [Sha256] nvarchar(64) NOT NULL,
        [PairCount] int NOT NULL,
        [CropSize] int NOT NULL,
        [CreatedUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_GradCamSets] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_GradCamSets_NetworkModels_NetworkModelId] FOREIGN KEY ([NetworkModelId]) REFERENCES [NetworkModels] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_GradCamSets_PairSets_PairSetId] FOREIGN KEY ([PairSetId]) REFERENCES [PairSets] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127151004_GradCamMaps'
)
BEGIN
    CREATE UNIQUE INDEX [IX_GradCamSets_NetworkModelId_PairSetId] ON [GradCamSets] ([NetworkModelId], [PairSetId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127151004_GradCamMaps'
)
BEGIN
    CREATE INDEX [IX_GradCamSets_PairSetId] ON [GradCamSets] ([PairSetId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127151004_GradCamMaps'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127151004_GradCamMaps', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    DROP INDEX [IX_Predictions_ModelVersionId] ON [Predictions];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [Predictions] ADD [FeaturesJson] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [Predictions] ADD [InputHashesJson] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [Predictions] ADD [PairCount] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [Predictions] ADD [PairScoresJson] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [Predictions] ADD [RequestedBy] nvarchar(256) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [Predictions] ADD [SignaturesJson] nvarchar(2000) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [Predictions] ADD [Threshold] float NOT NULL DEFAULT 0.0E0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [CohortId] int NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [Error] nvarchar(2000) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [ManifestJson] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [NetworkModelId] uniqueidentifier NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [Progress] nvarchar(400) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [RequestedBy] nvarchar(256) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [SettingsJson] nvarchar(4000) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [Status] nvarchar(32) NOT NULL DEFAULT N'Trained';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD [TrainedUtc] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    CREATE INDEX [IX_Predictions_ModelVersionId_IsStale] ON [Predictions] ([ModelVersionId], [IsStale]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    CREATE INDEX [IX_ModelVersions_CohortId] ON [ModelVersions] ([CohortId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    CREATE INDEX [IX_ModelVersions_NetworkModelId] ON [ModelVersions] ([NetworkModelId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD CONSTRAINT [FK_ModelVersions_Cohorts_CohortId] FOREIGN KEY ([CohortId]) REFERENCES [Cohorts] ([Id]) ON DELETE NO ACTION;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    ALTER TABLE [ModelVersions] ADD CONSTRAINT [FK_ModelVersions_NetworkModels_NetworkModelId] FOREIGN KEY ([NetworkModelId]) REFERENCES [NetworkModels] ([Id]) ON DELETE NO ACTION;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127164443_ModelRegistry'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127164443_ModelRegistry', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127213216_AuditChain'
)
BEGIN
    ALTER TABLE [AuditEvents] ADD [Hash] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127213216_AuditChain'
)
BEGIN
    ALTER TABLE [AuditEvents] ADD [PreviousHash] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127213216_AuditChain'
)
BEGIN
    ALTER TABLE [AuditEvents] ADD [Sequence] bigint NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127213216_AuditChain'
)
BEGIN
    CREATE TABLE [AuditChainHeads] (
        [Id] int NOT NULL,
        [Events] bigint NOT NULL,
        [LastHash] nvarchar(64) NULL,
        CONSTRAINT [PK_AuditChainHeads] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127213216_AuditChain'
)
BEGIN
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Id', N'Events', N'LastHash') AND [object_id] = OBJECT_ID(N'[AuditChainHeads]'))
        SET IDENTITY_INSERT [AuditChainHeads] ON;
    EXEC(N'INSERT INTO [AuditChainHeads] ([Id], [Events], [LastHash])
    VALUES (1, CAST(0 AS bigint), NULL)');
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Id', N'Events', N'LastHash') AND [object_id] = OBJECT_ID(N'[AuditChainHeads]'))
        SET IDENTITY_INSERT [AuditChainHeads] OFF;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127213216_AuditChain'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_AuditEvents_Sequence] ON [AuditEvents] ([Sequence]) WHERE [Sequence] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127213216_AuditChain'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127213216_AuditChain', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    DROP INDEX [IX_Reviews_PredictionId] ON [Reviews];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    ALTER TABLE [Reviews] ADD [IsAdjudication] bit NOT NULL DEFAULT CAST(0 AS bit);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    CREATE TABLE [ReviewCases] (
        [PredictionId] uniqueidentifier NOT NULL,
        [Status] nvarchar(32) NOT NULL,
        [AwaitingAdjudication] bit NOT NULL,
        [DisagreedBy] nvarchar(450) NULL,
        [AdjudicatedBy] nvarchar(450) NULL,
        [Verdicts] int NOT NULL,
        [UpdatedUtc] datetime2 NOT NULL,
        [Version] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_ReviewCases] PRIMARY KEY ([PredictionId]),
        CONSTRAINT [FK_ReviewCases_Predictions_PredictionId] FOREIGN KEY ([PredictionId]) REFERENCES [Predictions] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    CREATE TABLE [SiteQueries] (
        [Id] uniqueidentifier NOT NULL,
        [PredictionId] uniqueidentifier NOT NULL,
        [ReviewId] uniqueidentifier NOT NULL,
        [SiteId] int NOT NULL,
        [Question] nvarchar(4000) NOT NULL,
        [RaisedBy] nvarchar(450) NOT NULL,
        [RaisedUtc] datetime2 NOT NULL,
        [Status] nvarchar(32) NOT NULL,
        [Answer] nvarchar(4000) NULL,
        [AnsweredBy] nvarchar(450) NULL,
        [AnsweredUtc] datetime2 NULL,
        CONSTRAINT [PK_SiteQueries] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_SiteQueries_Predictions_PredictionId] FOREIGN KEY ([PredictionId]) REFERENCES [Predictions] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_SiteQueries_Sites_SiteId] FOREIGN KEY ([SiteId]) REFERENCES [Sites] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    CREATE INDEX [IX_Reviews_PredictionId_CreatedUtc] ON [Reviews] ([PredictionId], [CreatedUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    CREATE INDEX [IX_ReviewCases_Status_AwaitingAdjudication] ON [ReviewCases] ([Status], [AwaitingAdjudication]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    CREATE INDEX [IX_SiteQueries_PredictionId] ON [SiteQueries] ([PredictionId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    CREATE INDEX [IX_SiteQueries_SiteId_Status] ON [SiteQueries] ([SiteId], [Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127234612_ReviewWorkflow'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127234612_ReviewWorkflow', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128161229_MixtureDimensions'
)
BEGIN
    ALTER TABLE [MixtureModels] ADD [Dimensions] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128161229_MixtureDimensions'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128161229_MixtureDimensions', N'10.0.15');
END;

COMMIT;
GO

