import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';

export class PageImageQueryDto {
  @ApiPropertyOptional({ description: 'width of the picture in pixels; brought into 200-2000 (images are never enlarged)', default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  width?: number;
}
