// `next/headers` for scenario code: cookies() and headers() of the request the harness is simulating.
function store() {
  const jar = globalThis.__oracle.jar
  return {
    get: (name) => jar.find((c) => c.name === name),
    getAll: () => [...jar],
    has: (name) => jar.some((c) => c.name === name),
    set: (name, value) => {
      const i = jar.findIndex((c) => c.name === (typeof name === 'object' ? name.name : name))
      const c = typeof name === 'object' ? name : { name, value }
      if (i >= 0) jar[i] = c
      else jar.push(c)
    },
    delete: (name) => {
      const i = jar.findIndex((c) => c.name === name)
      if (i >= 0) jar.splice(i, 1)
    },
  }
}
export function cookies() {
  return store()
}
export function headers() {
  return globalThis.__oracle.request.headers
}
