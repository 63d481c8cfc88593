// Small schemas shared by the release and site configs: architectures, names, URLs, template strings and
// environment variable names. Each regex carries its own message, because that text is what the user reads.
import { z } from 'zod';

/** Architectures a compose can be made for (RPM basearch names). */
export const Arch = z.enum(['x86_64', 'aarch64', 'ppc64le', 's390x', 'i686', 'riscv64', 'armv7hl']);
export type Arch = z.infer<typeof Arch>;

/** Package arches repoclosure may accept: the compose arches plus noarch. */
export const PackageArch = z.enum([...Arch.options, 'noarch']);
export type PackageArch = z.infer<typeof PackageArch>;

/** A repo, variant or image name: also a folder name in the compose. */
export const Name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/,
    'must be a name of letters, digits and _ . + - (no spaces or slashes)',
  );

export const PackageName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/, 'must be an RPM package name (letters, digits and _ . + -)');

/** A file name (no folders): what a file is called where it lands. */
export const FileName = z
  .string()
  .regex(/^(?!\.\.?$)[^/\\\0]+$/, 'must be a plain file name (no "/", not "." or "..")');

/** A file shipped under the repository's templates/ folder, written relative to it. */
export const TemplatePath = z
  .string()
  .regex(
    /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_.{}+-][A-Za-z0-9_.{}+/-]*$/,
    'must be a relative path under templates/ (no leading "/", no "..")',
  );

export const HttpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http:// or https:// URL');

/** Where a tree or file can be fetched from: http(s) or file:// (the fixture distro and local mirrors). */
export const FetchUrl = z
  .string()
  .regex(/^(https?:\/\/[^\s/]+|file:\/\/)(\/\S*)?$/, 'must be an http://, https:// or file:// URL');

/** A key or file given as a URL or an absolute path (relative paths would depend on where horno runs). */
export const UrlOrAbsolutePath = z
  .string()
  .regex(
    /^((https?:\/\/[^\s/]+|file:\/\/)(\/\S*)?|\/\S*)$/,
    'must be an http(s):// or file:// URL or an absolute path',
  );

/** A `{placeholder}` template; which placeholders are allowed is checked per use. */
export const Template = z.string().min(1);

export const EnvVarName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must name an environment variable (like AWS_SECRET_ACCESS_KEY), not hold the value itself',
  );
