// Types for wav-decoder 1.3 (the package ships none). Only what protocol/audio uses.
declare module 'wav-decoder' {
  interface AudioData {
    readonly sampleRate: number;
    readonly numberOfChannels: number;
    /** Samples per channel. */
    readonly length: number;
    /** One Float32Array per channel, in [-1, 1]. */
    readonly channelData: Float32Array[];
  }

  interface DecodeOptions {
    /**
     * Scale integer samples by one factor (16-bit: 1/32768) instead of 1/32768 below zero
     * and 1/32767 above, so they convert back exactly.
     */
    symmetric?: boolean;
  }

  interface Decode {
    (buffer: ArrayBuffer | Uint8Array, options?: DecodeOptions): Promise<AudioData>;
    sync(buffer: ArrayBuffer | Uint8Array, options?: DecodeOptions): AudioData;
  }

  const wavDecoder: { readonly decode: Decode };
  export = wavDecoder;
}
