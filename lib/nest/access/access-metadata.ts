/**
 * `@TenantScoped()` and `@RequireClaims()` accumulate: each use adds to the list of its target
 * (a subclass starts from its parent's list), and a route obeys its controller's list and its
 * handler's list together.
 */
export function appendMetadata(key: string, entries: readonly unknown[]): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    const holder: object = descriptor === undefined ? target : (descriptor.value as object);
    const current = (Reflect.getMetadata(key, holder) as readonly unknown[] | undefined) ?? [];
    Reflect.defineMetadata(key, [...current, ...entries], holder);
  };
}

/** The controller's entries, then the handler's. */
export function routeMetadata<T>(key: string, controller: Function, handler: Function): T[] {
  const onController = (Reflect.getMetadata(key, controller) as T[] | undefined) ?? [];
  const onHandler = (Reflect.getMetadata(key, handler) as T[] | undefined) ?? [];
  return [...onController, ...onHandler];
}
