// Pins the one file that reads Nest's own metadata keys (lib/nest/utils/route-metadata.util.ts)
// against Nest's public decorators. Runs on Nest 12 and, under .ci/nest11/jest.config.mjs, on
// Nest 11: a Nest release that moves or renames a key fails here instead of in production.
import { Controller, Get, Module, Next, Post, Res, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  declaredGuards,
  declaredPath,
  handlerSendsResponse,
  isRouteHandler,
  routerModulePaths,
} from '../../lib/nest/utils/route-metadata.util.js';

class AllowAll implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}
const instance = new AllowAll();

@Controller(['orders', 'v2/orders'])
@UseGuards(AllowAll)
class OrdersController {
  @Get(':id')
  @UseGuards(instance, AllowAll)
  plain(): void {}

  @Post()
  takesResponse(@Res() _response: unknown): void {}

  @Post('next')
  takesNext(@Next() _next: unknown): void {}

  @Post('passthrough')
  passesThrough(@Res({ passthrough: true }) _response: unknown): void {}

  notARoute(): void {}
}

@Module({ controllers: [OrdersController] })
class OrdersModule {}

/** The part of an `ExecutionContext` that `handlerSendsResponse` reads. */
function contextOf(method: keyof OrdersController): ExecutionContext {
  return { getClass: () => OrdersController, getHandler: () => OrdersController.prototype[method] } as unknown as ExecutionContext;
}

describe('Nest route metadata, read through public decorators', () => {
  it('declaredGuards: what @UseGuards() named on a handler or controller, classes and instances', () => {
    expect(declaredGuards(OrdersController.prototype.plain)).toEqual([instance, AllowAll]);
    expect(declaredGuards(OrdersController)).toEqual([AllowAll]);
    expect(declaredGuards(OrdersController.prototype.takesResponse)).toEqual([]);
  });

  it('isRouteHandler and declaredPath: route decorators and @Controller() paths', () => {
    expect(isRouteHandler(OrdersController.prototype.plain)).toBe(true);
    expect(isRouteHandler(OrdersController.prototype.notARoute)).toBe(false);
    expect(declaredPath(OrdersController.prototype.plain)).toBe(':id');
    expect(declaredPath(OrdersController)).toEqual(['orders', 'v2/orders']);
  });

  it('routerModulePaths: the path RouterModule gave a module once the app is built', async () => {
    expect(routerModulePaths(OrdersModule)).toEqual([]);
    const app = await Test.createTestingModule({
      imports: [OrdersModule, RouterModule.register([{ path: 'shop', module: OrdersModule }])],
    }).compile();
    expect(routerModulePaths(OrdersModule)).toEqual(['/shop']);
    await app.close();
  });

  it('handlerSendsResponse: @Res() or @Next() without passthrough', () => {
    expect(handlerSendsResponse(contextOf('takesResponse'))).toBe(true);
    expect(handlerSendsResponse(contextOf('takesNext'))).toBe(true);
    expect(handlerSendsResponse(contextOf('passesThrough'))).toBe(false);
    expect(handlerSendsResponse(contextOf('plain'))).toBe(false);
  });
});
