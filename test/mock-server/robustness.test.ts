import { describe, expect, it } from 'vitest';
import { concatPcm, pcmToBase64, silence, tone } from '../../protocol/audio/index.js';
import { useMockServers, utterance } from '../support/mock-servers.js';
import { TestClient } from '../support/test-client.js';

const serve = useMockServers();

describe('mock server: robustness (nothing a client sends may crash the server)', () => {
  it('a ~6 MB append (a whole 93 s utterance in one frame) is heard like any audio, and a second session completes a turn meanwhile', async () => {
    const server = await serve();
    const big = await TestClient.connect(server.url, { key: server.keys[0] });
    const other = await TestClient.connect(server.url, { key: server.keys[0] });
    await big.next('session.created');
    await other.next('session.created');

    const audio = pcmToBase64(concatPcm(silence(200), tone(440, 92_000, -10), silence(1_000)));
    expect(audio.length).toBeGreaterThan(5_900_000);
    big.send({ type: 'input_audio_buffer.append', event_id: 'evt_big', audio });
    other.sendAudio(utterance());

    // Under the 16 MiB frame limit the protocol has no reply to an append: the VAD hears the
    // utterance (speech_started … speech_stopped) and the turn is answered as usual.
    await big.next('response.done', 1, 20_000);
    expect(big.types()).not.toContain('error');
    expect(big.of('input_audio_buffer.speech_stopped')[0]!.audio_end_ms).toBeGreaterThan(92_000);
    expect(big.closeCode).toBeUndefined();

    await other.next('response.done', 1, 20_000);
    expect(other.of('response.done')[0]!.response).toMatchObject({ status: 'completed' });
    expect(other.closeCode).toBeUndefined();
    big.close();
    other.close();
  });
});
