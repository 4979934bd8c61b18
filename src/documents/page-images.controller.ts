import { Controller, Get, Headers, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, type AuthContext } from '../auth';
import { PageImageQueryDto } from './dto/page-image.dto';
import { PageImagesService } from './page-images.service';

@ApiTags('documents')
@ApiBearerAuth()
@Controller('api/documents')
export class PageImagesController {
  constructor(private readonly pageImages: PageImagesService) {}

  /**
   * A page of a PDF or image document as PNG. Cache-Control is private (the key decides who may
   * see it) and short, so a revoked grant stops showing within the hour; after that the ETag
   * makes the browser's revalidation a 304 with no rendering.
   */
  @Get(':id/pages/:n/image')
  @ApiProduces('image/png')
  async image(
    @Auth() auth: AuthContext,
    @Param('id') id: string,
    @Param('n') page: string,
    @Query() query: PageImageQueryDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile | undefined> {
    const { etag, image } = await this.pageImages.pageImage(auth, id, page, query.width, ifNoneMatch);
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    if (!image) {
      res.status(304);
      return undefined;
    }
    res.setHeader('X-Page-Count', String(image.meta.pages));
    // The units of chunk bounding boxes (PDF points, image pixels): where to draw a cited passage.
    res.setHeader('X-Page-Size', `${image.meta.pageWidth}x${image.meta.pageHeight}`);
    return new StreamableFile(image.png, { type: 'image/png', length: image.png.length });
  }
}
