import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, Roles, type AuthContext } from '../../auth';
import { InvalidInputError } from '../../common';
import { DatasetsService } from './datasets.service';
import { AddRecordsDto, CreateDatasetDto, ExportQueryDto, FromAnswerDto, ImportDatasetDto, RecordsQueryDto, SplitDto, UpdateRecordDto } from './dto/dataset-request.dto';
import { DATASET_UPLOAD_LIMIT_BYTES } from './import-limits';

@ApiTags('datasets')
@ApiBearerAuth()
@Controller('api/datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Get()
  list() {
    return this.datasets.list();
  }

  @Post()
  @Roles('editor')
  create(@Auth() auth: AuthContext, @Body() dto: CreateDatasetDto) {
    return this.datasets.create(auth, dto);
  }

  @Post('import')
  @Roles('editor')
  @ApiConsumes('multipart/form-data')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: DATASET_UPLOAD_LIMIT_BYTES, files: 1 } }))
  import(@Auth() auth: AuthContext, @UploadedFile() file: Express.Multer.File | undefined, @Body() dto: ImportDatasetDto) {
    if (!file) throw new InvalidInputError('send the dataset file as multipart field "file"');
    const filename = Buffer.from(file.originalname, 'latin1').toString('utf8');
    return this.datasets.import(auth, { name: dto.name, description: dto.description, format: dto.format, nearThreshold: dto.nearThreshold, filename, bytes: file.buffer });
  }

  @Get(':ref')
  get(@Param('ref') ref: string) {
    return this.datasets.get(ref);
  }

  @Delete(':ref')
  @Roles('editor')
  remove(@Auth() auth: AuthContext, @Param('ref') ref: string) {
    return this.datasets.remove(auth, ref);
  }

  @Get(':ref/records')
  records(@Param('ref') ref: string, @Query() query: RecordsQueryDto) {
    return this.datasets.records(ref, query);
  }

  @Post(':ref/records')
  @Roles('editor')
  add(@Auth() auth: AuthContext, @Param('ref') ref: string, @Body() dto: AddRecordsDto) {
    return this.datasets.addRecords(auth, ref, dto.records);
  }

  @Post(':ref/records/from-answer')
  @Roles('editor')
  fromAnswer(@Auth() auth: AuthContext, @Param('ref') ref: string, @Body() dto: FromAnswerDto) {
    return this.datasets.fromAnswer(auth, ref, dto);
  }

  @Patch(':ref/records/:recordId')
  @Roles('editor')
  update(@Auth() auth: AuthContext, @Param('ref') ref: string, @Param('recordId', ParseUUIDPipe) recordId: string, @Body() dto: UpdateRecordDto) {
    return this.datasets.updateRecord(auth, ref, recordId, dto);
  }

  @Delete(':ref/records/:recordId')
  @Roles('editor')
  deleteRecord(@Auth() auth: AuthContext, @Param('ref') ref: string, @Param('recordId', ParseUUIDPipe) recordId: string) {
    return this.datasets.deleteRecord(auth, ref, recordId);
  }

  @Post(':ref/split')
  @Roles('editor')
  @HttpCode(200)
  split(@Auth() auth: AuthContext, @Param('ref') ref: string, @Body() dto: SplitDto) {
    return this.datasets.split(auth, ref, dto);
  }

  @Get(':ref/export')
  async export(@Param('ref') ref: string, @Query() query: ExportQueryDto, @Res() res: Response): Promise<void> {
    const lines = query.lines === 'true';
    const out = await this.datasets.export(ref, { format: query.format, version: query.version, split: query.split, lines });
    res.setHeader('Content-Type', lines ? 'application/x-ndjson; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(out.fileName)}`);
    res.setHeader('X-Dataset-Version', String(out.version));
    res.send(out.content);
  }

  @Get(':ref/export/llamafactory')
  llamaFactory(@Param('ref') ref: string, @Query() query: ExportQueryDto) {
    return this.datasets.llamaFactory(ref, { format: query.format, version: query.version, split: query.split });
  }
}
