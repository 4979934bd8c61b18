import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsUUID, ValidateIf } from 'class-validator';
import { ROLES, Role } from '../roles';

/** A change of an existing key: a field left out stays as it is. */
export class UpdateApiKeyDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'The knowledge bases the key may use from now on; null for all of them.' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'each knowledgeBaseIds entry must be a UUID' })
  knowledgeBaseIds?: string[] | null;
}
