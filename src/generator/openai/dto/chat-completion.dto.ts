import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** The subset of OpenAI's chat completion request Zhiku serves; unknown fields are refused by name. */
export class ChatCompletionRequestDto {
  @ApiProperty({ example: 'qwen-moe', description: 'a registered model: name (its default version) or name@version' })
  @IsString() @MaxLength(200)
  model!: string;

  @ApiProperty({ example: [{ role: 'user', content: '你好' }], description: 'messages with role system|user|assistant and text content' })
  @IsArray()
  messages!: unknown[];

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({ description: '{include_usage: true} adds a last chunk with the token counts' })
  @IsOptional() @IsObject()
  stream_options?: { include_usage?: boolean };

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000 })
  @IsOptional() @IsInt({ message: 'max_tokens must be an integer' }) @Min(1, { message: 'max_tokens must be at least 1' }) @Max(1_000_000, { message: 'max_tokens must be at most 1000000' })
  max_tokens?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000, description: "OpenAI's newer name for max_tokens" })
  @IsOptional() @IsInt({ message: 'max_completion_tokens must be an integer' }) @Min(1, { message: 'max_completion_tokens must be at least 1' }) @Max(1_000_000, { message: 'max_completion_tokens must be at most 1000000' })
  max_completion_tokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 2 })
  @IsOptional() @IsNumber() @Min(0) @Max(2)
  temperature?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional() @IsNumber() @Min(0) @Max(1)
  top_p?: number;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(2 ** 31 - 1)
  seed?: number;

  @ApiPropertyOptional({ description: 'a string or up to 4 strings' })
  @IsOptional()
  stop?: string | string[];

  @ApiPropertyOptional({ description: 'only 1 is supported' })
  @IsOptional() @IsIn([1], { message: 'n must be 1: Zhiku generates one choice per request' })
  n?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  user?: string;
}

export class EmbeddingsRequestDto {
  @ApiProperty({ description: 'the retrieval embedder (its id is listed by GET /v1/models)' })
  @IsString() @MaxLength(200)
  model!: string;

  @ApiProperty({ description: 'a string or an array of strings' })
  @IsDefined({ message: 'input is required: a string or an array of strings' })
  input!: string | string[];

  @ApiPropertyOptional({ enum: ['float', 'base64'] })
  @IsOptional() @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  user?: string;
}
