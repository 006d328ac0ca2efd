import { describe, expect, it } from 'vitest';

import { ReportError, toCsv } from '../src/index.js';

describe('toCsv', () => {
  describe('when given series with and without a spread', () => {
    it('writes one long-format row per series and step', () => {
      const csv = toCsv([
        {
          label: 'LSTM',
          learned: true,
          steps: [1, 2],
          mean: [1.5, 0.25],
          lower: [1, 0.2],
          upper: [2, 0.3],
        },
        { label: 'SGD', learned: false, steps: [1], mean: [2] },
      ]);

      expect(csv).toBe(
        [
          'label,learned,step,mean,lower,upper',
          'LSTM,true,1,1.5,1,2',
          'LSTM,true,2,0.25,0.2,0.3',
          'SGD,false,1,2,,',
          '',
        ].join('\n'),
      );
    });
  });

  describe('when labels hold commas or quotes and values diverged', () => {
    it('quotes the label and keeps NaN and Infinity', () => {
      const csv = toCsv([{ label: 'Adam, lr="0.1"', learned: false, steps: [7], mean: [NaN] }]);

      expect(csv.split('\n')[1]).toBe('"Adam, lr=""0.1""",false,7,NaN,,');
      expect(toCsv([{ label: 'x', learned: false, steps: [1], mean: [Infinity] }])).toContain(
        'x,false,1,Infinity,,',
      );
    });
  });

  describe('when a series has fewer means than steps', () => {
    it('rejects with REPORT_INVALID_SERIES', () => {
      const write = () => toCsv([{ label: 'x', learned: false, steps: [1, 2], mean: [1] }]);

      expect(write).toThrow(ReportError);
      expect(write).toThrow(/2 steps but 1 means/);
    });
  });
});
