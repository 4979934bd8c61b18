import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { AuditEvent } from '../audit.repository';

export class ListAuditQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'the `next` of the previous page' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'before must be an event id (the next value of the previous page)' })
  before?: string;

  @ApiPropertyOptional({ description: 'only events made with this API key id' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  keyId?: string;
}

export class AuditPageDto {
  @ApiProperty({ description: 'events, newest first: {id, at, keyId, keyName, role, method, path, route, status, durationMs, client}' })
  items!: AuditEvent[];

  @ApiProperty({ nullable: true, type: String, description: 'pass as `before` for the next page; null on the last page' })
  next!: string | null;
}
