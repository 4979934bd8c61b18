import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { EXPORT_FORMATS, type ExportFormat } from '../formats/export.format';
import { DATASET_NAME } from '../dataset-record';
import { IMPORT_FORMATS, type ImportFormat } from '../import-reader';


/** The form fields that come with an uploaded dataset file (multipart, field `file`). */
export class ImportDatasetDto {
  @ApiProperty({ description: 'Dataset name; a new dataset, or a new version of an existing one' })
  @Length(1, 100)
  @Matches(DATASET_NAME, { message: 'name may hold letters, digits, ".", "_" and "-", starting with a letter or digit' })
  name!: string;

  @ApiPropertyOptional({ enum: IMPORT_FORMATS, description: 'Detected from the content when left out' }) @IsOptional() @IsIn(IMPORT_FORMATS) format?: ImportFormat;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional({ description: 'Jaccard threshold for near-duplicates (0.5-1); default 0.85' }) @IsOptional() @Type(() => Number) @IsNumber() @Min(0.5) @Max(1) nearThreshold?: number;
}

/** An empty dataset (version 0), to fill by hand or from answers. */
export class CreateDatasetDto {
  @ApiProperty({ description: 'Unique dataset name' })
  @IsString()
  @Length(1, 100)
  @Matches(DATASET_NAME, { message: 'name may hold letters, digits, ".", "_" and "-", starting with a letter or digit' })
  name!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
}

export class RecordDto {
  @ApiPropertyOptional() @IsOptional() @IsString() system?: string;
  @ApiProperty() @IsString() instruction!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() input?: string;
  @ApiProperty() @IsString() output!: string;
  @ApiPropertyOptional({ description: '[[user, assistant], ...]' }) @IsOptional() @IsArray() history?: [string, string][];
  @ApiPropertyOptional() @IsOptional() @IsArray() sources?: Array<Record<string, unknown>>;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) tags?: string[];
}

export class AddRecordsDto {
  @ApiProperty({ type: [RecordDto] }) @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => RecordDto) records!: RecordDto[];
}

export class UpdateRecordDto {
  @ApiPropertyOptional() @IsOptional() @IsString() system?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() instruction?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() input?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() output?: string;
  @ApiPropertyOptional() @IsOptional() @IsArray() history?: [string, string][];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) tags?: string[];
}

export class SplitDto {
  @ApiProperty({ description: 'Share of records for validation, e.g. 0.1' }) @IsNumber() @Min(0.01) @Max(0.9) validationRatio!: number;
  @ApiPropertyOptional({ description: 'Default 42' }) @IsOptional() @IsInt() @Min(0) @Max(2 ** 31 - 1) seed?: number;
}

/** What /api/ask answers, or the part of it worth keeping. */
export class FromAnswerDto {
  @ApiProperty() @IsString() @Length(1, 20_000) question!: string;
  @ApiProperty() @IsString() @Length(1, 60_000) answer!: string;
  @ApiPropertyOptional({ description: 'The citations of the answer (documentId, chunkId, document, page)' }) @IsOptional() @IsArray() @IsObject({ each: true }) citations?: Array<Record<string, unknown>>;
  @ApiPropertyOptional() @IsOptional() @IsString() system?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) tags?: string[];
  @ApiPropertyOptional({ description: 'Keep the [n] citation marks in the answer (default: removed)' }) @IsOptional() @IsBoolean() keepCitationMarks?: boolean;
}

export class RecordsQueryDto {
  @ApiPropertyOptional({ description: 'Default: the latest; 0 is the empty start of every dataset' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) version?: number;
  @ApiPropertyOptional({ enum: ['train', 'validation'] }) @IsOptional() @IsIn(['train', 'validation']) split?: 'train' | 'validation';
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @ApiPropertyOptional({ description: 'Default 100, at most 1000' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class ExportQueryDto {
  @ApiProperty({ enum: EXPORT_FORMATS }) @IsIn(EXPORT_FORMATS) format!: ExportFormat;
  @ApiPropertyOptional({ description: 'Default: the latest' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) version?: number;
  @ApiPropertyOptional({ description: 'JSON Lines instead of one JSON list' }) @IsOptional() @IsIn(['true', 'false']) lines?: 'true' | 'false';
  @ApiPropertyOptional({ enum: ['train', 'validation'] }) @IsOptional() @IsIn(['train', 'validation']) split?: 'train' | 'validation';
}
