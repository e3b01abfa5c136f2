/**
 * The sox command that turns `file` into swaram's format (PCM16, 24 kHz, mono), for error
 * messages and docs. The output goes beside the input as `<name>-24k.wav`, because sox cannot
 * write the file it reads.
 *
 * @example soxConvertCommand('me.wav') // 'sox "me.wav" -r 24000 -c 1 -b 16 -e signed-integer "me-24k.wav"'
 */
export function soxConvertCommand(file: string): string {
  const out = /\.[^./\\]+$/.test(file)
    ? file.replace(/\.[^./\\]+$/, '-24k.wav')
    : `${file}-24k.wav`;
  return `sox "${file}" -r 24000 -c 1 -b 16 -e signed-integer "${out}"`;
}
