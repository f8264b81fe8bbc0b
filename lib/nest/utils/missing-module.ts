/**
 * The boot error of a Rakomi guard or interceptor used where `RakomiModule` is not imported,
 * instead of Nest's generic "can't resolve dependencies" message.
 */
export function rakomiModuleMissing(consumer: string): Error {
  return new Error(
    `${consumer} needs RakomiModule: import RakomiModule.forRoot(...) (isGlobal: true) in the root module, ` +
      'or RakomiModule in the module that uses it.',
  );
}
