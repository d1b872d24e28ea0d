/** Persian given names and family names with their usual Latin spelling; patients get one script or the other. */
type NamePair = readonly [fa: string, en: string];

export const FEMALE_NAMES: readonly NamePair[] = [
  ['مریم', 'Maryam'], ['فاطمه', 'Fatemeh'], ['زهرا', 'Zahra'], ['سارا', 'Sara'], ['نرگس', 'Narges'],
  ['مهسا', 'Mahsa'], ['لیلا', 'Leila'], ['شیرین', 'Shirin'], ['پریسا', 'Parisa'], ['نازنین', 'Nazanin'],
  ['الهام', 'Elham'], ['آزاده', 'Azadeh'], ['نسرین', 'Nasrin'], ['سمیرا', 'Samira'], ['مینا', 'Mina'],
  ['هانیه', 'Haniyeh'], ['کیمیا', 'Kimia'], ['یاسمن', 'Yasaman'], ['ریحانه', 'Reyhaneh'], ['طاهره', 'Tahereh'],
  ['گلناز', 'Golnaz'], ['بهاره', 'Bahareh'], ['رویا', 'Roya'], ['ترانه', 'Taraneh'], ['سپیده', 'Sepideh'],
];

export const MALE_NAMES: readonly NamePair[] = [
  ['علی', 'Ali'], ['محمد', 'Mohammad'], ['حسین', 'Hossein'], ['رضا', 'Reza'], ['مهدی', 'Mehdi'],
  ['امیر', 'Amir'], ['سعید', 'Saeed'], ['حمید', 'Hamid'], ['مجید', 'Majid'], ['کاوه', 'Kaveh'],
  ['بهرام', 'Bahram'], ['داریوش', 'Dariush'], ['آرش', 'Arash'], ['پویا', 'Pouya'], ['سینا', 'Sina'],
  ['بابک', 'Babak'], ['فرهاد', 'Farhad'], ['کامران', 'Kamran'], ['مسعود', 'Masoud'], ['نیما', 'Nima'],
  ['جواد', 'Javad'], ['یوسف', 'Yousef'], ['کوروش', 'Kourosh'], ['میلاد', 'Milad'], ['هومن', 'Houman'],
];

export const FAMILY_NAMES: readonly NamePair[] = [
  ['احمدی', 'Ahmadi'], ['محمدی', 'Mohammadi'], ['حسینی', 'Hosseini'], ['رضایی', 'Rezaei'], ['کریمی', 'Karimi'],
  ['موسوی', 'Mousavi'], ['جعفری', 'Jafari'], ['صادقی', 'Sadeghi'], ['رحیمی', 'Rahimi'], ['قاسمی', 'Ghasemi'],
  ['نوری', 'Nouri'], ['کاظمی', 'Kazemi'], ['طاهری', 'Taheri'], ['اکبری', 'Akbari'], ['هاشمی', 'Hashemi'],
  ['شریفی', 'Sharifi'], ['عباسی', 'Abbasi'], ['زارعی', 'Zarei'], ['نجفی', 'Najafi'], ['فرهادی', 'Farhadi'],
  ['تهرانی', 'Tehrani'], ['شیرازی', 'Shirazi'], ['اصفهانی', 'Esfahani'], ['کرمانی', 'Kermani'], ['یزدانی', 'Yazdani'],
  ['مرادی', 'Moradi'], ['بهرامی', 'Bahrami'], ['سلیمانی', 'Soleimani'], ['پورمحمدی', 'Pourmohammadi'], ['امینی', 'Amini'],
];
