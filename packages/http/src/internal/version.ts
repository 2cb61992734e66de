/** @internal */
export const etag = (version: number): string => `W/"${version}"`

/** @internal */
export const matchesNoneMatch = (header: string, version: number): boolean => {
  const tag = etag(version)
  return header.split(",").some((part) => {
    const t = part.trim()
    return t === "*" || t === tag || t === `"${version}"`
  })
}
